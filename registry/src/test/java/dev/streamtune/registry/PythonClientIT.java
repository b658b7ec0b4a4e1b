package dev.streamtune.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtune.testkit.KafkaTestCluster;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real non-Java client against our registry: Confluent's own {@code SchemaRegistryClient} from
 * Debian's {@code python3-confluent-kafka} (which needs {@code python3-requests}). Skipped, never
 * failed, where that package is not installed; CI installs it.
 */
class PythonClientIT {

    /** Debian's interpreter, which owns python3-confluent-kafka; -Dstreamtune.python overrides it. */
    private static final Path PYTHON = Path.of(System.getProperty("streamtune.python", "/usr/bin/python3"));
    private static final Path SCRIPT = Path.of("src/test/python/registry_client_check.py");

    @BeforeEach
    void requireConfluentPythonClient() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON),
                "skipped: " + PYTHON + " is missing (apt-get install python3-confluent-kafka python3-requests)");
        Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import confluent_kafka.schema_registry")
                .redirectErrorStream(true).start();
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean finished = probe.waitFor(30, TimeUnit.SECONDS);
        Assumptions.assumeTrue(finished && probe.exitValue() == 0,
                "skipped: Confluent's Python schema registry client is not importable by " + PYTHON
                        + " (apt-get install python3-confluent-kafka python3-requests): " + output.strip());
    }

    @Test
    void confluentsPythonClientRegistersFetchesAndChecksCompatibility() throws Exception {
        KafkaTestCluster cluster = KafkaTestCluster.shared();
        RegistryConfig config = RegistryConfig.of(0, cluster.bootstrapServers())
                .withTopic("_schemas-python-" + UUID.randomUUID());
        try (RegistryServer server = RegistryServer.startWithKafka(config)) {
            int javaId = new RegistryClient(server.url()).registerId("java-orders-value", Schemas.ORDER);

            JsonNode seen = runScript(server.url(), javaId);

            int id = seen.get("registered_id").asInt();
            assertThat(seen.get("registered_again_id").asInt()).isEqualTo(id);
            assertThat(id).isNotEqualTo(javaId);
            assertThat(seen.get("compatible_v2").asBoolean()).isTrue();
            assertThat(seen.get("compatible_breaking").asBoolean()).isFalse();
            int v2 = seen.get("v2_id").asInt();
            assertThat(v2).isGreaterThan(id);
            assertThat(seen.get("breaking_error").get("http_status").asInt()).isEqualTo(409);
            assertThat(seen.get("breaking_error").get("error_code").asInt()).isEqualTo(409);
            assertThat(seen.get("fetched_type").asText()).isEqualTo("AVRO");
            assertThat(seen.get("fetched_fields").toString()).isEqualTo("[\"id\",\"amount\"]");
            assertThat(seen.get("latest").get("id").asInt()).isEqualTo(v2);
            assertThat(seen.get("latest").get("version").asInt()).isEqualTo(2);
            assertThat(seen.get("latest").get("subject").asText()).isEqualTo("payments-value");
            assertThat(seen.get("version1_id").asInt()).isEqualTo(id);
            assertThat(seen.get("lookup_version").asInt()).isEqualTo(2);
            assertThat(seen.get("versions").toString()).isEqualTo("[1,2]");
            assertThat(seen.get("subjects").toString()).isEqualTo("[\"java-orders-value\",\"payments-value\"]");
            assertThat(seen.get("subject_level").asText()).isEqualTo("FULL");
            assertThat(seen.get("global_level").asText()).isEqualTo("BACKWARD");
            assertThat(seen.get("java_schema_name").asText()).isEqualTo("Order");
            assertThat(seen.get("missing_error").get("http_status").asInt()).isEqualTo(404);
            assertThat(seen.get("missing_error").get("error_code").asInt()).isEqualTo(40403);

            RegistryClient java = new RegistryClient(server.url());
            assertThat(java.get("/subjects/payments-value/versions/latest").json().get("id").asInt()).isEqualTo(v2);
        }
    }

    /** Confluent's own client with {@code basic.auth.user.info}, as a producer of a secured registry would be. */
    @Test
    void confluentsPythonClientWritesWithBasicAuthAndReadsWithout() throws Exception {
        KafkaTestCluster cluster = KafkaTestCluster.shared();
        RegistryConfig config = RegistryConfig.of(0, cluster.bootstrapServers())
                .withTopic("_schemas-python-auth-" + UUID.randomUUID())
                .withWriteCredentials(java.util.Optional.of(
                        dev.streamtune.http.BasicCredentials.parse("producer:python-secret", "test")));
        String script = String.join("\n",
                "import json, sys",
                "from confluent_kafka.schema_registry import SchemaRegistryClient, Schema",
                "from confluent_kafka.schema_registry.error import SchemaRegistryError",
                "url = sys.argv[1]",
                "schema = Schema(json.dumps({'type': 'record', 'name': 'Pay', 'fields': [{'name': 'id', 'type': 'long'}]}), 'AVRO')",
                "out = {}",
                "try:",
                "    SchemaRegistryClient({'url': url}).register_schema('pay-value', schema)",
                "    out['anonymous'] = 'registered'",
                "except SchemaRegistryError as e:",
                "    out['anonymous'] = {'http_status': e.http_status_code, 'error_code': e.error_code}",
                "writer = SchemaRegistryClient({'url': url, 'basic.auth.user.info': 'producer:python-secret'})",
                "out['id'] = writer.register_schema('pay-value', schema)",
                "reader = SchemaRegistryClient({'url': url})",
                "out['read_type'] = reader.get_schema(out['id']).schema_type",
                "print(json.dumps(out))");
        try (RegistryServer server = RegistryServer.startWithKafka(config)) {
            Process process = new ProcessBuilder(PYTHON.toString(), "-c", script, server.url())
                    .redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(out).isZero();
            JsonNode seen = RegistryClient.JSON.readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
            assertThat(seen.get("anonymous").get("http_status").asInt()).isEqualTo(401);
            assertThat(seen.get("anonymous").get("error_code").asInt()).isEqualTo(401);
            assertThat(seen.get("id").asInt()).isPositive();
            assertThat(seen.get("read_type").asText()).isEqualTo("AVRO");
        }
    }

    private static JsonNode runScript(String url, int javaId) throws IOException, InterruptedException {
        Path stderr = Files.createTempFile("registry-python-", ".stderr");
        try {
            Process process = new ProcessBuilder(List.of(PYTHON.toString(), SCRIPT.toString(), url,
                    String.valueOf(javaId))).redirectError(stderr.toFile()).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean finished = process.waitFor(60, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            assertThat(finished).as("python client finished within 60 s").isTrue();
            assertThat(process.exitValue()).as("python exit status; stdout: %s stderr: %s", out,
                    Files.readString(stderr)).isZero();
            return RegistryClient.JSON.readTree(out);
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}
