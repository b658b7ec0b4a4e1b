package dev.streamtune.registry;

import dev.streamtune.schemas.serde.RegistryException;
import static dev.streamtune.registry.Schemas.USER_V1;
import static dev.streamtune.registry.Schemas.USER_V2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.http.BasicCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry's limits (subjects, versions, schema and body size), basic auth on writes, and idle connections. */
class RegistryLimitsAndAuthTest {

    private static final BasicCredentials WRITER = BasicCredentials.parse("writer:correct-horse", "test");
    private RegistryServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private RegistryClient start(RegistryConfig config) {
        server = new RegistryServer(config, new InMemorySchemaStore()).start();
        return new RegistryClient(server.url());
    }

    private static String auth(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private RegistryClient.Reply register(RegistryClient client, String subject, String schema, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + "/subjects/" + subject + "/versions"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request, "POST", Map.of("schema", schema));
    }

    @Test
    void subjectAndVersionCountsStopAtTheirLimitsWithConfluentsCode() {
        RegistryClient client = start(RegistryConfig.of(0, "unused:9092").withLimits(new RegistryLimits(2, 2, 4_096)));
        client.registerId("a-value", USER_V1);
        client.registerId("b-value", USER_V1);
        RegistryClient.Reply third = client.register("c-value", USER_V1);
        assertThat(third.status()).isEqualTo(422);
        assertThat(third.errorCode()).isEqualTo(RegistryException.OPERATION_NOT_PERMITTED);
        assertThat(third.json().get("message").asText()).contains("maxSubjects").contains("2");
        // an own compatibility level makes a subject too
        RegistryClient.Reply level = client.put("/config/d-value", Map.of("compatibility", "NONE"));
        assertThat(level.status()).isEqualTo(422);
        assertThat(level.json().get("message").asText()).contains("maxSubjects");

        assertThat(client.register("a-value", USER_V2).status()).isEqualTo(200);
        RegistryClient.Reply tooMany = client.register("a-value", Schemas.USER_EMPTY);
        assertThat(tooMany.status()).isEqualTo(422);
        assertThat(tooMany.errorCode()).isEqualTo(RegistryException.OPERATION_NOT_PERMITTED);
        assertThat(tooMany.json().get("message").asText()).contains("maxVersionsPerSubject").contains("2");
        // what is already there is served, and re-registering it still answers its id
        assertThat(client.get("/subjects").json().toString()).isEqualTo("[\"a-value\",\"b-value\"]");
        assertThat(client.register("a-value", USER_V1).status()).isEqualTo(200);
    }

    @Test
    void aSchemaOverTheSizeLimitIs42209AndABodyOverTheHttpLimitIs413() {
        RegistryClient client = start(RegistryConfig.of(0, "unused:9092").withLimits(new RegistryLimits(10, 10, 2_048)));
        String big = "{\"type\":\"record\",\"name\":\"Big\",\"doc\":\"" + "d".repeat(3_000) + "\",\"fields\":[]}";
        RegistryClient.Reply tooLarge = client.register("big-value", big);
        assertThat(tooLarge.status()).isEqualTo(422);
        assertThat(tooLarge.errorCode()).isEqualTo(RegistryException.SCHEMA_TOO_LARGE);
        assertThat(tooLarge.json().get("message").asText()).contains("maxSchemaBytes").contains("2048");

        RegistryClient.Reply body = client.postDeclaringLength("/subjects/huge-value/versions",
                server.config().http().maxBodyBytes() + 10L);
        assertThat(body.status()).isEqualTo(413);
        assertThat(body.errorCode()).isEqualTo(413);
        assertThat(body.json().get("message").asText()).contains("maxBodyBytes");
    }

    @Test
    void withCredentialsWritesNeedThemAndReadsStayOpen() {
        RegistryClient client = start(RegistryConfig.of(0, "unused:9092").withWriteCredentials(Optional.of(WRITER)));
        RegistryClient.Reply anonymous = register(client, "users-value", USER_V1, null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.errorCode()).isEqualTo(401);
        RegistryClient.Reply wrong = register(client, "users-value", USER_V1, auth("writer:wrong-password"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(client.get("/subjects").json().toString()).isEqualTo("[]");

        RegistryClient.Reply written = register(client, "users-value", USER_V1, auth("writer:correct-horse"));
        assertThat(written.status()).isEqualTo(200);
        int id = written.json().get("id").asInt();

        // reads, lookups and compatibility checks need nothing
        assertThat(client.get("/subjects").json().toString()).isEqualTo("[\"users-value\"]");
        assertThat(client.get("/schemas/ids/" + id).status()).isEqualTo(200);
        assertThat(client.post("/subjects/users-value", Map.of("schema", USER_V1)).status()).isEqualTo(200);
        assertThat(client.post("/compatibility/subjects/users-value/versions/latest", Map.of("schema", USER_V2))
                .json().get("is_compatible").asBoolean()).isTrue();

        // every other change needs them too
        assertThat(client.put("/config", Map.of("compatibility", "NONE")).status()).isEqualTo(401);
        assertThat(client.send(HttpRequest.newBuilder(URI.create(server.url() + "/subjects/users-value")).DELETE(), null)
                .status()).isEqualTo(401);
        assertThat(client.get("/config").json().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
    }

    @Test
    void fiftyConnectionsThatSendNothingDoNotStopSubjectsAnsweringWithinOneSecond() throws Exception {
        RegistryClient client = start(RegistryConfig.of(0, "unused:9092"));
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                Socket socket = new Socket("127.0.0.1", server.port());
                if (i % 2 == 1) {
                    // half of them start a request and never finish it
                    socket.getOutputStream().write("GET /subjects HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                idle.add(socket);
            }
            Thread.sleep(100);
            long start = System.nanoTime();
            String reply = rawGet(server.port(), "/subjects", Duration.ofSeconds(1));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(reply).startsWith("HTTP/1.1 200").endsWith("[]");
            assertThat(client.get("/health").status()).isEqualTo(200);
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    @Test
    void slowHeadersGet408InConfluentsFormat() throws Exception {
        RegistryConfig config = RegistryConfig.of(0, "unused:9092");
        start(config.withHttp(config.http().withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(30),
                Duration.ofSeconds(5))));
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            OutputStream out = slow.getOutputStream();
            out.write("GET /subjects HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            slow.setSoTimeout(3_000);
            String reply = new String(slow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(reply).startsWith("HTTP/1.1 408").contains("\"error_code\":408");
        }
    }

    private static String rawGet(int port, String path, Duration within) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) within.toMillis());
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
