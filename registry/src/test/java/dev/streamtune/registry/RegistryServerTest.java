package dev.streamtune.registry;

import static dev.streamtune.registry.Schemas.ORDER;
import static dev.streamtune.registry.Schemas.USER_EMPTY;
import static dev.streamtune.registry.Schemas.USER_NAME_AS_INT;
import static dev.streamtune.registry.Schemas.USER_V1;
import static dev.streamtune.registry.Schemas.USER_V2;
import static dev.streamtune.registry.Schemas.USER_WITH_REQUIRED_EMAIL;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST behaviour, against the in-memory store: every endpoint and every error code. */
class RegistryServerTest {

    private RegistryServer server;
    private RegistryClient client;

    @BeforeEach
    void start() {
        server = new RegistryServer(RegistryConfig.of(0, "unused:9092"),
                new InMemorySchemaStore()).start();
        client = new RegistryClient(server.url());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void reportsTheBoundPortAndHealth() {
        assertThat(server.port()).isPositive();
        RegistryClient.Reply health = client.get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("UP");
        assertThat(client.get("/").status()).isEqualTo(200);
    }

    @Test
    void registrationIsIdempotentWhateverTheWhitespace() {
        int id = client.registerId("users-value", USER_V1);
        assertThat(id).isEqualTo(1);
        String reformatted = USER_V1.replace(",", " ,\n  ").replace(":", " : ");
        assertThat(client.registerId("users-value", reformatted)).isEqualTo(id);
        assertThat(client.get("/subjects/users-value/versions").json().toString()).isEqualTo("[1]");
    }

    @Test
    void theSameSchemaGetsTheSameIdUnderEverySubject() {
        int first = client.registerId("a-value", USER_V1);
        int other = client.registerId("b-value", ORDER);
        int again = client.registerId("c-value", USER_V1);
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        assertThat(client.get("/subjects/c-value/versions/latest").json().get("version").asInt()).isEqualTo(1);
        assertThat(client.get("/subjects").json().toString()).isEqualTo("[\"a-value\",\"b-value\",\"c-value\"]");
    }

    @Test
    void fetchesSchemasById() {
        int id = client.registerId("users-value", USER_V1);
        RegistryClient.Reply reply = client.get("/schemas/ids/" + id);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(new Schema.Parser().parse(reply.json().get("schema").asText()))
                .isEqualTo(new Schema.Parser().parse(USER_V1));
        assertThat(client.get("/schemas/ids/" + id + "/schema").body()).contains("\"name\":\"User\"");

        RegistryClient.Reply missing = client.get("/schemas/ids/999");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo(40403);
        assertThat(missing.json().get("message").asText()).contains("999");
    }

    @Test
    void servesVersionsOfASubject() {
        int v1 = client.registerId("users-value", USER_V1);
        int v2 = client.registerId("users-value", USER_V2);
        assertThat(v2).isEqualTo(v1 + 1);
        assertThat(client.get("/subjects/users-value/versions").json().toString()).isEqualTo("[1,2]");

        RegistryClient.Reply latest = client.get("/subjects/users-value/versions/latest");
        assertThat(latest.json().get("subject").asText()).isEqualTo("users-value");
        assertThat(latest.json().get("version").asInt()).isEqualTo(2);
        assertThat(latest.json().get("id").asInt()).isEqualTo(v2);
        assertThat(latest.json().get("schema").asText()).contains("age");
        assertThat(client.get("/subjects/users-value/versions/-1").json().get("version").asInt()).isEqualTo(2);
        assertThat(client.get("/subjects/users-value/versions/1").json().get("id").asInt()).isEqualTo(v1);
        assertThat(client.get("/subjects/users-value/versions/1/schema").body()).doesNotContain("age");

        RegistryClient.Reply noVersion = client.get("/subjects/users-value/versions/7");
        assertThat(noVersion.status()).isEqualTo(404);
        assertThat(noVersion.errorCode()).isEqualTo(40402);
        RegistryClient.Reply badVersion = client.get("/subjects/users-value/versions/first");
        assertThat(badVersion.status()).isEqualTo(422);
        assertThat(badVersion.errorCode()).isEqualTo(42202);
        RegistryClient.Reply noSubject = client.get("/subjects/nobody/versions");
        assertThat(noSubject.status()).isEqualTo(404);
        assertThat(noSubject.errorCode()).isEqualTo(40401);
        assertThat(client.get("/subjects/nobody/versions/latest").errorCode()).isEqualTo(40401);
    }

    @Test
    void looksUpASchemaUnderASubject() {
        client.registerId("users-value", USER_V1);
        int id = client.registerId("users-value", USER_V2);
        RegistryClient.Reply found = client.post("/subjects/users-value", Map.of("schema", USER_V2));
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.json().get("subject").asText()).isEqualTo("users-value");
        assertThat(found.json().get("id").asInt()).isEqualTo(id);
        assertThat(found.json().get("version").asInt()).isEqualTo(2);
        assertThat(found.json().get("schema").asText()).contains("age");

        RegistryClient.Reply notThere = client.post("/subjects/users-value", Map.of("schema", ORDER));
        assertThat(notThere.status()).isEqualTo(404);
        assertThat(notThere.errorCode()).isEqualTo(40403);
        RegistryClient.Reply noSubject = client.post("/subjects/nobody", Map.of("schema", ORDER));
        assertThat(noSubject.status()).isEqualTo(404);
        assertThat(noSubject.errorCode()).isEqualTo(40401);
    }

    @Test
    void anIncompatibleSchemaIs409AndIsNotStored() {
        client.registerId("users-value", USER_V1);
        RegistryClient.Reply refused = client.register("users-value", USER_WITH_REQUIRED_EMAIL);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.errorCode()).isEqualTo(409);
        assertThat(refused.json().get("message").asText()).contains("incompatible").contains("email");

        assertThat(client.get("/subjects/users-value/versions").json().toString()).isEqualTo("[1]");
        assertThat(client.post("/subjects/users-value", Map.of("schema", USER_WITH_REQUIRED_EMAIL)).errorCode())
                .isEqualTo(40403);
        assertThat(client.get("/schemas/ids/2").errorCode()).isEqualTo(40403);
        assertThat(client.registerId("orders-value", ORDER)).as("the refused schema used no id").isEqualTo(2);
    }

    @Test
    void invalidSchemasAre42201WithTheReason() {
        RegistryClient.Reply notJson = client.register("x-value", "{\"type\":\"record\",");
        assertThat(notJson.status()).isEqualTo(422);
        assertThat(notJson.errorCode()).isEqualTo(42201);
        RegistryClient.Reply unknownType = client.register("x-value",
                "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"f\",\"type\":\"strang\"}]}");
        assertThat(unknownType.errorCode()).isEqualTo(42201);
        assertThat(unknownType.json().get("message").asText()).contains("strang");
        RegistryClient.Reply badDefault = client.register("x-value",
                "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"f\",\"type\":\"int\",\"default\":\"x\"}]}");
        assertThat(badDefault.errorCode()).isEqualTo(42201);
        RegistryClient.Reply empty = client.post("/subjects/x-value/versions", Map.of("schemaType", "AVRO"));
        assertThat(empty.errorCode()).isEqualTo(42201);
        assertThat(empty.json().get("message").asText()).contains("'schema'");
        RegistryClient.Reply protobuf = client.post("/subjects/x-value/versions",
                Map.of("schema", "syntax = \"proto3\";", "schemaType", "PROTOBUF"));
        assertThat(protobuf.errorCode()).isEqualTo(42201);
        assertThat(protobuf.json().get("message").asText()).contains("PROTOBUF").contains("AVRO");
        RegistryClient.Reply references = client.post("/subjects/x-value/versions", Map.of("schema", USER_V1,
                "references", List.of(Map.of("name", "a", "subject", "b", "version", 1))));
        assertThat(references.errorCode()).isEqualTo(42201);
        assertThat(references.json().get("message").asText()).contains("references");
        assertThat(client.get("/subjects").json().toString()).isEqualTo("[]");
    }

    @Test
    void testsCompatibilityWithoutRegistering() {
        client.registerId("users-value", USER_V1);
        RegistryClient.Reply good = client.post("/compatibility/subjects/users-value/versions/latest",
                Map.of("schema", USER_V2));
        assertThat(good.status()).isEqualTo(200);
        assertThat(good.json().get("is_compatible").asBoolean()).isTrue();
        RegistryClient.Reply bad = client.post("/compatibility/subjects/users-value/versions/1?verbose=true",
                Map.of("schema", USER_WITH_REQUIRED_EMAIL));
        assertThat(bad.json().get("is_compatible").asBoolean()).isFalse();
        assertThat(bad.json().get("messages").toString()).contains("email");
        assertThat(client.get("/subjects/users-value/versions").json().toString()).isEqualTo("[1]");

        assertThat(client.post("/compatibility/subjects/nobody/versions/latest", Map.of("schema", USER_V1))
                .errorCode()).isEqualTo(40401);
        assertThat(client.post("/compatibility/subjects/users-value/versions/5", Map.of("schema", USER_V1))
                .errorCode()).isEqualTo(40402);
        assertThat(client.post("/compatibility/subjects/users-value/versions/latest", Map.of("schema", "nope"))
                .errorCode()).isEqualTo(42201);
    }

    @Test
    void globalAndSubjectCompatibilityConfig() {
        RegistryClient.Reply global = client.get("/config");
        assertThat(global.json().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        RegistryClient.Reply set = client.put("/config", Map.of("compatibility", "FULL"));
        assertThat(set.status()).isEqualTo(200);
        assertThat(set.json().get("compatibility").asText()).isEqualTo("FULL");
        assertThat(client.get("/config").json().get("compatibilityLevel").asText()).isEqualTo("FULL");
        assertThat(client.get("/config/anyone").json().get("compatibilityLevel").asText())
                .as("a subject without its own level follows the global one").isEqualTo("FULL");

        client.registerId("users-value", USER_V1);
        assertThat(client.register("users-value", USER_EMPTY).status()).as("FULL refuses a removed field")
                .isEqualTo(409);
        assertThat(client.put("/config/users-value", Map.of("compatibility", "none")).json()
                .get("compatibility").asText()).isEqualTo("NONE");
        assertThat(client.get("/config/users-value").json().get("compatibilityLevel").asText()).isEqualTo("NONE");
        assertThat(client.register("users-value", USER_WITH_REQUIRED_EMAIL).status()).isEqualTo(200);
        assertThat(client.get("/config").json().get("compatibilityLevel").asText()).isEqualTo("FULL");

        RegistryClient.Reply invalid = client.put("/config", Map.of("compatibility", "SIDEWAYS"));
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.errorCode()).isEqualTo(42203);
        assertThat(client.put("/config/users-value", Map.of("level", "FULL")).errorCode()).isEqualTo(42203);
    }

    @Test
    void transitiveLevelsCompareWithEveryVersion() {
        client.registerId("users-value", USER_V1);
        client.registerId("users-value", USER_EMPTY);
        client.put("/config/users-value", Map.of("compatibility", "BACKWARD_TRANSITIVE"));
        RegistryClient.Reply refused = client.register("users-value", USER_NAME_AS_INT);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(client.post("/compatibility/subjects/users-value/versions/latest",
                Map.of("schema", USER_NAME_AS_INT)).json().get("is_compatible").asBoolean()).isFalse();
        client.put("/config/users-value", Map.of("compatibility", "BACKWARD"));
        assertThat(client.register("users-value", USER_NAME_AS_INT).status()).isEqualTo(200);
        assertThat(client.get("/subjects/users-value/versions").json().toString()).isEqualTo("[1,2,3]");
    }

    @Test
    void forwardLevelRefusesWhatOldReadersCannotRead() {
        client.put("/config/users-value", Map.of("compatibility", "FORWARD"));
        client.registerId("users-value", USER_V1);
        assertThat(client.register("users-value", USER_EMPTY).status()).isEqualTo(409);
        assertThat(client.register("users-value", USER_WITH_REQUIRED_EMAIL).status()).isEqualTo(200);
    }

    @Test
    void concurrentRegistrationsOfOneSchemaGetOneIdAndOneVersion() throws Exception {
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> ids = new ArrayList<>();
            for (int i = 0; i < threads * 4; i++) {
                String subject = "concurrent-" + (i % 4) + "-value";
                Callable<Integer> task = () -> {
                    go.await();
                    return client.registerId(subject, USER_V2);
                };
                ids.add(pool.submit(task));
            }
            go.countDown();
            Set<Integer> distinct = new HashSet<>();
            for (Future<Integer> id : ids) {
                distinct.add(id.get(30, TimeUnit.SECONDS));
            }
            assertThat(distinct).hasSize(1);
            for (int s = 0; s < 4; s++) {
                assertThat(client.get("/subjects/concurrent-" + s + "-value/versions").json().toString())
                        .isEqualTo("[1]");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void subjectsArePercentDecoded() {
        String subject = "my topic/with+odd:chars-value";
        String encoded = URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
        client.registerId(encoded, USER_V1);
        assertThat(client.get("/subjects").json().get(0).asText()).isEqualTo(subject);
        assertThat(client.get("/subjects/" + encoded + "/versions/1").json().get("subject").asText())
                .isEqualTo(subject);
    }

    @Test
    void anEmptySubjectIsRefusedAndATrailingSlashIgnored() {
        RegistryClient.Reply empty = client.register("", USER_V1);
        assertThat(empty.status()).isEqualTo(422);
        assertThat(empty.errorCode()).isEqualTo(42208);
        assertThat(client.get("/subjects").json().toString()).isEqualTo("[]");
        client.registerId("users-value", USER_V1);
        assertThat(client.get("/subjects/users-value/versions/").json().toString()).isEqualTo("[1]");
    }

    @Test
    void speaksBothJsonMediaTypes() {
        RegistryClient.Reply registryType = client.get("/subjects");
        assertThat(registryType.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        RegistryClient.Reply plain = client.send(HttpRequest.newBuilder(URI.create(server.url() + "/subjects")).GET(),
                "application/json");
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.contentType()).isEqualTo("application/json");

        RegistryClient.Reply plainBody = client.send(HttpRequest.newBuilder(
                        URI.create(server.url() + "/subjects/plain-value/versions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":" + RegistryClient.JSON.valueToTree(USER_V1) + "}"))
                .header("Content-Type", "application/json"), "application/json");
        assertThat(plainBody.status()).isEqualTo(200);
        assertThat(plainBody.json().get("id").asInt()).isEqualTo(1);

        RegistryClient.Reply xml = client.send(HttpRequest.newBuilder(
                        URI.create(server.url() + "/subjects/plain-value/versions"))
                .POST(HttpRequest.BodyPublishers.ofString("<schema/>"))
                .header("Content-Type", "application/xml"), null);
        assertThat(xml.status()).isEqualTo(415);
        assertThat(xml.errorCode()).isEqualTo(415);
    }

    @Test
    void malformedRequestsGetConfluentStyleErrors() {
        RegistryClient.Reply notJson = client.post("/subjects/x-value/versions", "{not json");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("message").asText()).contains("not valid JSON");
        RegistryClient.Reply array = client.post("/subjects/x-value/versions", "[1,2]");
        assertThat(array.status()).isEqualTo(400);
        RegistryClient.Reply unknown = client.get("/nothing/here");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo(404);
        RegistryClient.Reply wrongMethod = client.send(HttpRequest.newBuilder(
                URI.create(server.url() + "/config")).DELETE(), null);
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.errorCode()).isEqualTo(405);
    }
}
