package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.RestSchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamtune up} as a user runs it: the packaged application in its own JVM, then clients
 * outside the JVM (Confluent's Python client, librdkafka) register schemas and produce to it.
 */
class UpCommandIT {
    @Test
    void outsideClientsRegisterAndProduceAgainstUp(@TempDir Path data) throws Exception {
        String classpath = UpProcess.classpath();
        try (UpProcess up = UpProcess.start(data, "--min-validation", "20", "--publish-every", "100")) {
            String bootstrap = up.bootstrap;
            String registryUrl = up.registryUrl;
            String dashboardUrl = up.dashboardUrl;
            assertThat(registryUrl).isNotNull();
            assertThat(dashboardUrl).as("up runs the dashboard too").isNotNull();
            assertThat(up.output()).as("the registry and dashboard keep to this machine unless --bind-address opens them")
                    .anyMatch(l -> l.contains("HTTP listens on:") && l.contains("127.0.0.1"));
            java.net.http.HttpResponse<String> health = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(dashboardUrl + "health")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);

            // librdkafka (kcat) produces plain bytes to the broker
            if (Files.isExecutable(Path.of("/usr/bin/kcat"))) {
                Process kcat = new ProcessBuilder("/usr/bin/kcat", "-P", "-b", bootstrap, "-t", "kcat.smoke")
                        .redirectErrorStream(true).start();
                kcat.getOutputStream().write("hello from kcat\n".getBytes(StandardCharsets.UTF_8));
                kcat.getOutputStream().close();
                assertThat(kcat.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(kcat.exitValue()).isZero();
                assertThat(new String(consume(bootstrap, "kcat.smoke").value(), StandardCharsets.UTF_8))
                        .isEqualTo("hello from kcat");
            }

            // Confluent's Python SchemaRegistryClient registers; confluent_kafka produces Confluent-framed Avro
            assumeTrue(pythonHasConfluentKafka(), "Debian's python3-confluent-kafka is not installed (CI installs it)");
            Path schemaFile = data.resolve("LabelledExample.avsc");
            Files.writeString(schemaFile, LabelledExample.getClassSchema().toString());
            Process py = new ProcessBuilder("/usr/bin/python3", Path.of("src", "test", "python",
                    "produce_labelled_example.py").toString(), bootstrap, registryUrl, "examples.raw",
                    schemaFile.toString(), "py-1", "Win a free cruise now", "spam")
                    .redirectErrorStream(true).start();
            String pyOut = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(py.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(py.exitValue()).as(pyOut).isZero();
            int schemaId = Integer.parseInt(pyOut.replaceAll("(?s).*schema_id=(\\d+).*", "$1"));

            RestSchemaRegistryClient registry = new RestSchemaRegistryClient(registryUrl);
            assertThat(registry.getLatest("examples.raw-value").id()).isEqualTo(schemaId);
            byte[] value = consume(bootstrap, "examples.raw").value();
            LabelledExample read = new AvroDeserializer<>(registry, AvroSerdeConfig.of(registryUrl), LabelledExample.class)
                    .deserialize("examples.raw", value);
            assertThat(read.getId()).isEqualTo("py-1");
            assertThat(read.getText()).isEqualTo("Win a free cruise now");
            assertThat(read.getLabel()).isEqualTo("spam");
            assertThat(read.getMetadata()).isEmpty();

            // the whole loop through outside clients: declare the task, produce mail from Python,
            // and see a promoted model arrive through 'streamtune subscribe' in its own JVM
            assertThat(new picocli.CommandLine(new Streamtune()).execute("task", "create", "spam", "--labels", "ham,spam",
                    "--closed", "-b", bootstrap, "-r", registryUrl)).isZero();
            Path examples = data.resolve("examples.jsonl");
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            StringBuilder jsonLines = new StringBuilder();
            for (dev.streamtune.datasets.CorpusExample e : dev.streamtune.datasets.SpamAssassin.load(
                    dev.streamtune.datasets.LoadOptions.truncatedTo(4_000)).stratifiedSample(300, 7).examples()) {
                jsonLines.append(json.writeValueAsString(Map.of("id", e.id(), "text", e.text(), "label", e.label()))).append('\n');
            }
            Files.writeString(examples, jsonLines);
            Path subscribeLog = data.resolve("subscribe.log");
            Process subscribe = new ProcessBuilder(UpProcess.java(),
                    "-Xmx1g", "-Dai.djl.offline=true", "-cp", classpath, "dev.streamtune.app.Streamtune", "subscribe",
                    "-b", bootstrap, "-r", registryUrl, "--task", "spam", "--exit-after", "1",
                    // up made the evaluator's key pair in its data directory; a subscriber trusts its public half
                    "--trusted-key", data.resolve("keys/evaluator.pub").toString(),
                    // hybrid deltas (~3 MB) travel by URI into up's artifact store, under its data directory
                    "--artifact-dir", data.resolve("artifacts").toString())
                    .redirectErrorStream(true).redirectOutput(subscribeLog.toFile()).start();
            Process bulk = new ProcessBuilder("/usr/bin/python3", Path.of("src", "test", "python",
                    "produce_labelled_example.py").toString(), bootstrap, registryUrl, "examples.raw",
                    schemaFile.toString(), "--file", examples.toString()).redirectErrorStream(true).start();
            String bulkOut = new String(bulk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(bulk.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(bulkOut).as(bulkOut).contains("produced=300");
            boolean promoted = subscribe.waitFor(6, TimeUnit.MINUTES);
            if (!promoted) {
                subscribe.destroyForcibly();
            }
            String subscribed = Files.readString(subscribeLog);
            String upTail = up.tail(40);
            assertThat(promoted).as("a promotion reached the subscriber; it printed:%n%s%nup's last lines:%n%s",
                    subscribed, upTail).isTrue();
            assertThat(subscribed).containsPattern("PROMOTE task=spam version=\\d+");
        }
    }

    static boolean pythonHasConfluentKafka() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
            return false;
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import confluent_kafka.schema_registry")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private static ConsumerRecord<String, byte[]> consume(String bootstrap, String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "up-it-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, byte[]>> first = new ArrayList<>();
            // the consumer is not thread-safe: poll it on this thread
            await("a record on " + topic).atMost(Duration.ofSeconds(30))
                    .pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ZERO).until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(first::add);
                        return !first.isEmpty();
                    });
            return first.get(0);
        }
    }
}
