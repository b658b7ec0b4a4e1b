package dev.streamtune.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.datasets.CorpusExample;
import dev.streamtune.datasets.LoadOptions;
import dev.streamtune.datasets.SpamAssassin;
import dev.streamtune.schemas.DeadLetterHeaders;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import dev.streamtune.schemas.topics.TopicDeclaration;
import dev.streamtune.schemas.topics.TopicProvisioner;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ingest on a real broker with the real schema registry: the whole SpamAssassin corpus plus
 * injected bad records and repeats goes in, and every record is accounted for exactly once.
 */
class IngestIT {
    private static final String TASK = "spam";

    private static BrokerAndRegistry platform;

    @BeforeAll
    static void startPlatform() {
        platform = BrokerAndRegistry.start();
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    /** What the test expects of one produced record; the key says which record it was. */
    private record Expected(String key, RejectReason reason) {}

    @Test
    void theWholeCorpusAndInjectedBadRecordsAreAccountedForExactlyOnce() throws Exception {
        String prefix = "corpus-" + UUID.randomUUID().toString().substring(0, 6) + ".";
        Topics topics = Topics.withPrefix(prefix);
        createTopics(topics, 3);
        IngestConfig config = IngestConfig.defaults(platform.bootstrapServers(), platform.registryUrl())
                .withTopics(topics)
                .withApplicationId(prefix + "ingest")
                .withStreamsOverrides(Map.of(
                        StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("ingest-it").toString(),
                        StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200"));
        SchemaRegistryClient registry = SchemaRegistryClients.create(config.registry());
        AvroSerializer<LabelledExample> examples = new AvroSerializer<>(registry, config.registry(), false);
        AvroSerializer<TaskSpec> tasks = new AvroSerializer<>(registry, config.registry(), false);

        List<CorpusExample> corpus = SpamAssassin.load(LoadOptions.truncatedTo(20_000)).examples();
        assertThat(corpus).hasSize(SpamAssassin.SIZE);
        Map<String, Expected> routedByKey = new LinkedHashMap<>(); // example id -> expectation
        Map<String, Expected> deadByKey = new LinkedHashMap<>();
        int repeats = 0;
        int produced = 0;
        try (KafkaProducer<byte[], byte[]> producer = platform.cluster().bytesProducer()) {
            producer.send(new ProducerRecord<>(topics.tasks(), bytes(TASK), tasks.serialize(topics.tasks(),
                    TaskSpec.newBuilder().setTask(TASK).setLabels(List.of(SpamAssassin.HAM, SpamAssassin.SPAM))
                            .setLabelSetClosed(true).build()))).get();
            for (int i = 0; i < corpus.size(); i++) {
                CorpusExample c = corpus.get(i);
                byte[] value = examples.serialize(topics.raw(), example(c.id(), c.text(), c.label(), c.group()));
                producer.send(new ProducerRecord<>(topics.raw(), bytes(c.id()), value));
                produced++;
                routedByKey.put(c.id(), new Expected(c.id(), null));
                if (i % 60 == 7) {
                    // an exact repeat under another key, so it may take another partition and still be caught
                    producer.send(new ProducerRecord<>(topics.raw(), bytes("repeat-of-" + c.id()), value));
                    produced++;
                    repeats++;
                }
                if (i % 300 == 11) {
                    produced += injectBadRecords(producer, topics, examples, value, i, deadByKey);
                }
            }
            producer.flush();
        }
        int expectedOutputs = routedByKey.size() + deadByKey.size();
        System.out.printf("IngestIT: produced %d records: %d corpus examples, %d repeats, %d bad (%s)%n",
                produced, corpus.size(), repeats, deadByKey.size(),
                deadByKey.values().stream().collect(Collectors.groupingBy(Expected::reason, TreeMap::new, Collectors.counting())));

        long start = System.nanoTime();
        try (IngestApp app = new IngestApp(config)) {
            app.start();
            List<String> outputs = List.of(topics.train(), topics.validation(), topics.test(), topics.dlq());
            List<ConsumerRecord<byte[], byte[]>> read = platform.readUntil(outputs, r -> r.size() >= expectedOutputs,
                    Duration.ofSeconds(150), Duration.ofSeconds(2),
                    () -> System.out.printf("IngestIT: %.0f s, metrics %s%n", (System.nanoTime() - start) / 1e9,
                            app.metrics().snapshot()));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("IngestIT on %s: %d outputs in %.1f s (%.0f records/s incl. startup), metrics %s%n",
                    platform.cluster().kind(), read.size(), seconds, produced / seconds, app.metrics().snapshot());

            Map<String, List<String>> routedTopicsById = new HashMap<>();
            Map<String, List<ConsumerRecord<byte[], byte[]>>> deadByReadKey = new HashMap<>();
            Map<String, Integer> perTopic = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : read) {
                perTopic.merge(r.topic(), 1, Integer::sum);
                String key = new String(r.key(), StandardCharsets.UTF_8);
                if (r.topic().equals(topics.dlq())) {
                    deadByReadKey.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
                } else {
                    routedTopicsById.computeIfAbsent(key, k -> new ArrayList<>()).add(r.topic());
                }
            }
            // every valid example routed exactly once, nothing else routed
            assertThat(routedTopicsById.keySet()).containsExactlyInAnyOrderElementsOf(routedByKey.keySet());
            assertThat(routedTopicsById.values()).allSatisfy(t -> assertThat(t).hasSize(1));
            // every bad record dead-lettered exactly once, with its reason and where it came from
            assertThat(deadByReadKey.keySet()).containsExactlyInAnyOrderElementsOf(deadByKey.keySet());
            for (Map.Entry<String, List<ConsumerRecord<byte[], byte[]>>> e : deadByReadKey.entrySet()) {
                assertThat(e.getValue()).as("dead letters for %s", e.getKey()).hasSize(1);
                ConsumerRecord<byte[], byte[]> dead = e.getValue().get(0);
                assertThat(header(dead, DeadLetterHeaders.REASON)).as("reason of %s", e.getKey())
                        .isEqualTo(deadByKey.get(e.getKey()).reason().name());
                assertThat(header(dead, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(topics.raw());
                assertThat(header(dead, DeadLetterHeaders.SOURCE_OFFSET)).isNotBlank();
                assertThat(header(dead, DeadLetterHeaders.MESSAGE)).isNotBlank();
            }
            // the ledger: routed + dead + repeats = produced
            assertThat(app.metrics().duplicatesDropped()).isEqualTo(repeats);
            assertThat(routedTopicsById.size() + deadByReadKey.size() + app.metrics().duplicatesDropped()).isEqualTo(produced);
            // the split is near 80/10/10 (6,046 draws: 3 sigma is about 1.5 points for train)
            double n = routedTopicsById.size();
            System.out.printf("IngestIT: per topic %s%n", perTopic);
            assertThat(perTopic.get(topics.train()) / n).isBetween(0.77, 0.83);
            assertThat(perTopic.get(topics.validation()) / n).isBetween(0.085, 0.115);
            assertThat(perTopic.get(topics.test()) / n).isBetween(0.085, 0.115);
            assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    /** One of each kind of bad record, keyed {@code bad-<i>-<kind>}; returns how many it sent. */
    private static int injectBadRecords(KafkaProducer<byte[], byte[]> producer, Topics topics,
                                        AvroSerializer<LabelledExample> examples, byte[] good, int i,
                                        Map<String, Expected> deadByKey) {
        Map<RejectReason, byte[]> bad = new LinkedHashMap<>();
        byte[] badMagic = good.clone();
        badMagic[0] = 7;
        bad.put(RejectReason.BAD_MAGIC_BYTE, badMagic);
        byte[] unknownId = good.clone();
        ByteBuffer.wrap(unknownId).putInt(1, 987_654 + i); // the 4 bytes after the magic byte
        bad.put(RejectReason.UNKNOWN_SCHEMA_ID, unknownId);
        bad.put(RejectReason.TRUNCATED, new byte[] {0, 0, 0});
        bad.put(RejectReason.EMPTY_TEXT, examples.serialize(topics.raw(), example("empty-" + i, " \n\t ", "ham", "injected")));
        bad.put(RejectReason.UNKNOWN_LABEL, examples.serialize(topics.raw(), example("eggs-" + i, "buy eggs", "eggs", "injected")));
        for (Map.Entry<RejectReason, byte[]> e : bad.entrySet()) {
            String key = "bad-" + i + "-" + e.getKey().name().toLowerCase();
            producer.send(new ProducerRecord<>(topics.raw(), bytes(key), e.getValue()));
            deadByKey.put(key, new Expected(key, e.getKey()));
        }
        return bad.size();
    }

    private static LabelledExample example(String id, String text, String label, String group) {
        return LabelledExample.newBuilder().setId(id).setTask(TASK).setText(text).setLabel(label)
                .setMetadata(Map.of("group", group)).build();
    }

    private static void createTopics(Topics topics, int partitions) {
        TopicProvisioner.create(platform.bootstrapServers(), KafkaClientProperties.none(), new TopicDeclaration(topics, partitions)
                .specs(List.of(topics.raw(), topics.train(), topics.validation(), topics.test(), topics.dlq(), topics.tasks())));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void dedupeStateIsRestoredFromItsChangelogOnAFreshInstance() throws Exception {
        String prefix = "restore-" + UUID.randomUUID().toString().substring(0, 6) + ".";
        Topics topics = Topics.withPrefix(prefix);
        createTopics(topics, 2);
        IngestConfig base = IngestConfig.defaults(platform.bootstrapServers(), platform.registryUrl())
                .withTopics(topics).withApplicationId(prefix + "ingest");
        SchemaRegistryClient registry = SchemaRegistryClients.create(base.registry());
        AvroSerializer<LabelledExample> examples = new AvroSerializer<>(registry, base.registry(), false);
        List<String> splits = topics.splits();
        try (KafkaProducer<byte[], byte[]> producer = platform.cluster().producer(new ByteArraySerializer(),
                new ByteArraySerializer(), Map.of())) {
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 50; i++) {
                    // round 1 repeats round 0 exactly, plus 10 corrections (new label) and 10 new ids
                    String label = (round == 1 && i < 10) ? "other" : "ham";
                    int id = round == 1 && i >= 40 ? 100 + i : i;
                    byte[] value = examples.serialize(topics.raw(), LabelledExample.newBuilder().setId("e" + id)
                            .setTask("t").setText("text " + id).setLabel(label).setMetadata(Map.of()).build());
                    producer.send(new ProducerRecord<>(topics.raw(), bytes("e" + id), value));
                }
                producer.flush();
                // a fresh state directory each round: the dedupe store must come back from its changelog
                // Kafka Streams does not leave its group on close: the short session lets the second
                // instance take over after 6 s instead of the default 45 s
                IngestConfig config = base.withStreamsOverrides(Map.of(
                        StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("ingest-restore").toString(),
                        StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100",
                        StreamsConfig.consumerPrefix("session.timeout.ms"), "6000",
                        StreamsConfig.consumerPrefix("heartbeat.interval.ms"), "1000"));
                int expected = round == 0 ? 50 : 70;
                try (IngestApp app = new IngestApp(config)) {
                    app.start();
                    List<ConsumerRecord<byte[], byte[]>> routed = platform.readUntil(splits, r -> r.size() >= expected,
                            Duration.ofSeconds(60), Duration.ofSeconds(2), null);
                    System.out.printf("IngestIT restore round %d: routed %d, metrics %s%n", round, routed.size(),
                            app.metrics().snapshot());
                    assertThat(routed).hasSize(expected);
                    if (round == 1) {
                        assertThat(app.metrics().duplicatesDropped()).isEqualTo(30);
                        assertThat(app.metrics().corrections()).isEqualTo(10);
                        long corrections = routed.stream()
                                .filter(r -> r.headers().lastHeader(IngestHeaders.CORRECTION) != null).count();
                        assertThat(corrections).isEqualTo(10);
                    }
                }
            }
        }
    }
}
