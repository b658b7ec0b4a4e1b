package dev.streamtune.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.Delta;
import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.RestSchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every contract through a real broker and our real registry: Confluent-framed bytes with the
 * registry's id on the wire, equal records back; kcat (librdkafka) reads the same bytes; a restart
 * of the whole platform on the same data directory keeps every id.
 */
class PlatformIT {
    private static final Instant T = Instant.parse("2026-11-26T10:00:00Z");

    static List<SpecificRecord> samples() {
        ModelVersion version = ModelVersion.newBuilder().setTask("spam").setVersion(1).setTechnique("head")
                .setBase(new BaseModel("all-MiniLM-L6-v2", "ab".repeat(32))).setLabels(List.of("ham", "spam"))
                .setDelta(Delta.newBuilder().setSha256("cd".repeat(32)).setSizeBytes(3)
                        .setInline(ByteBuffer.wrap(new byte[] {1, 2, 3})).build())
                .setCreatedAt(T).build();
        return List.of(
                LabelledExample.newBuilder().setId("e1").setTask("spam").setText("Hello, wörld").setLabel("ham")
                        .setSplit(Split.TRAIN).setEventTime(T).setMetadata(Map.of("k", "v")).build(),
                TaskSpec.newBuilder().setTask("spam").setLabels(List.of("ham", "spam")).setLabelSetClosed(true).build(),
                FeatureVector.newBuilder().setExampleId("e1").setTask("spam").setLabel("ham").setSplit(Split.TRAIN)
                        .setBackbone("all-MiniLM-L6-v2").setVector(List.of(0.5f, -0.25f)).build(),
                version,
                ModelUpdate.newBuilder().setTask("spam").setAction(UpdateAction.PROMOTE).setVersion(1).setModel(version)
                        .setTimestamp(T).build(),
                MetricsEvent.newBuilder().setTask("spam").setKind(MetricKind.EVALUATION).setSource("test")
                        .setValues(Map.of("macro_f1", 0.9)).setTimestamp(T).build());
    }

    @Test
    void everyContractRoundTripsThroughTheBrokerAndTheRegistryAndSurvivesARestart(@TempDir Path data) throws Exception {
        PlatformConfig config = new PlatformConfig(0, 0, Optional.of(data), 1);
        Map<String, Integer> idBySubject = new java.util.HashMap<>();
        try (StreamtunePlatform platform = StreamtunePlatform.start(config)) {
            RestSchemaRegistryClient registry = new RestSchemaRegistryClient(platform.registryUrl());
            AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(registry, platform.serdeConfig(), false);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()),
                    new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                for (SpecificRecord r : samples()) {
                    String topic = "it." + r.getSchema().getName();
                    byte[] bytes = serializer.serialize(topic, r);
                    producer.send(new ProducerRecord<>(topic, "k", bytes)).get(30, TimeUnit.SECONDS);
                    idBySubject.put(topic + "-value", ByteBuffer.wrap(bytes, 1, 4).getInt());
                }
            }
            for (SpecificRecord expected : samples()) {
                String topic = "it." + expected.getSchema().getName();
                byte[] onWire = consumeOne(platform.bootstrapServers(), topic);
                int id = idBySubject.get(topic + "-value");
                assertThat(onWire[0]).as("magic byte on the wire").isEqualTo((byte) 0);
                assertThat(ByteBuffer.wrap(onWire, 1, 4).getInt()).isEqualTo(id);
                assertThat(registry.getLatest(topic + "-value").id()).isEqualTo(id);
                @SuppressWarnings("unchecked")
                AvroDeserializer<SpecificRecord> d = new AvroDeserializer<>(
                        new RestSchemaRegistryClient(platform.registryUrl()), platform.serdeConfig(),
                        (Class<SpecificRecord>) expected.getClass());
                assertThat(d.deserialize(topic, onWire)).isEqualTo(expected);
            }
            byte[] viaKcat = kcatReads(platform.bootstrapServers(), "it.LabelledExample");
            if (viaKcat != null) { // librdkafka sees exactly the bytes the Java client does
                assertThat(viaKcat).isEqualTo(consumeOne(platform.bootstrapServers(), "it.LabelledExample"));
            }
        }
        // the same data directory: the broker keeps _schemas, so the registry serves the same ids
        try (StreamtunePlatform again = StreamtunePlatform.start(config)) {
            RestSchemaRegistryClient fresh = new RestSchemaRegistryClient(again.registryUrl());
            idBySubject.forEach((subject, id) -> {
                assertThat(fresh.getLatest(subject).id()).as(subject).isEqualTo(id);
                assertThat(fresh.getById(id)).isNotNull();
            });
            assertThat(Files.isDirectory(data.resolve("kafka"))).isTrue();
        }
    }

    private static byte[] consumeOne(String bootstrap, String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<byte[]> first = new ArrayList<>();
            // the consumer is not thread-safe: poll it on this thread
            await("a record on " + topic).atMost(Duration.ofSeconds(30))
                    .pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ZERO).until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(r -> first.add(r.value()));
                        return !first.isEmpty();
                    });
            return first.get(0);
        }
    }

    /** The first record's raw value as librdkafka's kcat sees it, or null when kcat is not installed. */
    private static byte[] kcatReads(String bootstrap, String topic) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/kcat"))) {
            return null;
        }
        Process p = new ProcessBuilder("/usr/bin/kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning",
                "-c", "1", "-e", "-q", "-f", "%s").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kcat exit code").isZero();
        return out.toByteArray();
    }

    @Test
    void kcatIsHereOnCi() {
        assumeTrue(System.getenv("CI") != null, "only CI promises kcat");
        assertThat(Path.of("/usr/bin/kcat")).isExecutable();
    }
}
