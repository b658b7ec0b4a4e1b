package dev.streamtune.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.schemas.DeadLetterHeaders;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import dev.streamtune.schemas.topics.TopicDeclaration;
import dev.streamtune.schemas.topics.TopicProvisioner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A producer floods one open task with 100,000 examples, each with a label of its own, over three
 * partitions of examples.raw, on a real broker with the real registry and the default limits:
 * ingest stays up, the task grows to exactly its 1,000-label limit, the 1,000 examples that got a
 * label are routed, and the other 99,000 are in the dead-letter topic as TOO_MANY_LABELS.
 */
class LabelFloodIT {
    private static final String TASK = "flood";
    private static final int EXAMPLES = 100_000;
    private static final int LIMIT = IngestLimits.DEFAULT_MAX_LABELS_PER_TASK;

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

    /** What was read from the split topics and the DLQ, tallied as it streams past. */
    private static final class Tally {
        final Set<String> routedLabels = new HashSet<>();
        final AtomicLong routed = new AtomicLong();
        final AtomicLong dead = new AtomicLong();
        final AtomicLong deadForTheLimit = new AtomicLong();
        final AtomicLong messagesNamingTheLimit = new AtomicLong();
        final AtomicLong deadFromTheRaw = new AtomicLong();
        private final Topics topics;
        private final AvroDeserializer<LabelledExample> examples;

        Tally(Topics topics, AvroDeserializer<LabelledExample> examples) {
            this.topics = topics;
            this.examples = examples;
        }

        void accept(ConsumerRecord<byte[], byte[]> record) {
            if (!record.topic().equals(topics.dlq())) {
                routed.incrementAndGet();
                routedLabels.add(examples.deserialize(record.topic(), record.value()).getLabel());
                return;
            }
            dead.incrementAndGet();
            if (RejectReason.TOO_MANY_LABELS.name().equals(header(record, DeadLetterHeaders.REASON))) {
                deadForTheLimit.incrementAndGet();
            }
            String message = header(record, DeadLetterHeaders.MESSAGE);
            if (message != null && message.contains("of open task '" + TASK + "'")
                    && message.endsWith("the limit is maxLabelsPerTask " + LIMIT)) {
                messagesNamingTheLimit.incrementAndGet();
            }
            if (topics.raw().equals(header(record, DeadLetterHeaders.SOURCE_TOPIC))) {
                deadFromTheRaw.incrementAndGet();
            }
        }
    }

    @Test
    void aFloodOfDistinctLabelsGrowsTheTaskToItsLimitAndTheRestIsDeadLettered() throws Exception {
        String prefix = "flood-" + UUID.randomUUID().toString().substring(0, 6) + ".";
        Topics topics = Topics.withPrefix(prefix);
        TopicProvisioner.create(platform.bootstrapServers(), KafkaClientProperties.none(), new TopicDeclaration(topics, 3)
                .specs(List.of(topics.raw(), topics.train(), topics.validation(), topics.test(), topics.dlq(), topics.tasks())));
        IngestConfig config = IngestConfig.defaults(platform.bootstrapServers(), platform.registryUrl())
                .withTopics(topics)
                .withApplicationId(prefix + "ingest")
                .withStreamsOverrides(Map.of(
                        StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("label-flood-it").toString(),
                        StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200"));
        SchemaRegistryClient registry = SchemaRegistryClients.create(config.registry());
        AvroSerializer<LabelledExample> serializer = new AvroSerializer<>(registry, config.registry(), false);
        Tally tally = new Tally(topics, new AvroDeserializer<>(registry, config.registry(), LabelledExample.class));

        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = platform.cluster().bytesProducer()) {
            // a send the broker refused is sent again, as a producing user would; the flood is about ingest, and it
            // must see every example exactly once (the testkit producer keeps one request in flight, which avoids
            // the refusal this was written for: KAFKA-14359, see schemas' ProducerSettings)
            java.util.Queue<Integer> failed = new java.util.concurrent.ConcurrentLinkedQueue<>();
            for (int i = 0; i < EXAMPLES; i++) {
                int index = i;
                producer.send(raw(topics, serializer, index), (metadata, error) -> {
                    if (error != null) {
                        failed.add(index);
                    }
                });
            }
            producer.flush();
            int resent = failed.size();
            for (Integer index : failed) {
                producer.send(raw(topics, serializer, index)).get();
            }
            assertThat(resent).as("sends refused by the broker, sent again").isLessThan(EXAMPLES / 100);
            System.out.printf("LabelFloodIT: produced %,d examples in %.1f s (%d sent again)%n", EXAMPLES,
                    (System.nanoTime() - start) / 1e9, resent);
        }

        List<String> outputs = List.of(topics.train(), topics.validation(), topics.test(), topics.dlq());
        try (IngestApp app = new IngestApp(config)) {
            app.start();
            long ingestStart = System.nanoTime();
            platform.readEach(outputs, tally::accept, () -> tally.routed.get() + tally.dead.get() >= EXAMPLES,
                    Duration.ofSeconds(150), Duration.ofSeconds(2),
                    () -> System.out.printf("LabelFloodIT: %.0f s, %,d routed, %,d dead, %,d labels added%n",
                            (System.nanoTime() - ingestStart) / 1e9, tally.routed.get(), tally.dead.get(),
                            app.metrics().labelsAdded()));
            System.out.printf("LabelFloodIT: %,d examples through ingest in %.1f s: %,d routed, %,d dead-lettered%n",
                    EXAMPLES, (System.nanoTime() - ingestStart) / 1e9, tally.routed.get(), tally.dead.get());

            assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(tally.routed.get()).as("one example per granted label").isEqualTo(LIMIT);
            assertThat(tally.routedLabels).hasSize(LIMIT);
            assertThat(tally.dead.get()).isEqualTo(EXAMPLES - LIMIT);
            assertThat(tally.deadForTheLimit.get()).as("every dead letter is over the label limit")
                    .isEqualTo(EXAMPLES - LIMIT);
            assertThat(tally.messagesNamingTheLimit.get()).as("and says which task and limit")
                    .isEqualTo(EXAMPLES - LIMIT);
            assertThat(tally.deadFromTheRaw.get()).as("with the raw record's coordinates").isEqualTo(EXAMPLES - LIMIT);
            List<String> declared = latestLabels(topics, registry, config);
            assertThat(declared).hasSize(LIMIT).doesNotHaveDuplicates();
            assertThat(new HashSet<>(declared)).isEqualTo(tally.routedLabels);

            // ingest goes on: a granted label is still accepted, a new one still refused
            try (KafkaProducer<byte[], byte[]> producer = platform.cluster().bytesProducer()) {
                producer.send(new ProducerRecord<>(topics.raw(), bytes("after-1"),
                        serializer.serialize(topics.raw(), example("after-1", declared.get(0))))).get();
                producer.send(new ProducerRecord<>(topics.raw(), bytes("after-2"),
                        serializer.serialize(topics.raw(), example("after-2", "label-new")))).get();
            }
            Tally after = new Tally(topics, new AvroDeserializer<>(registry, config.registry(), LabelledExample.class));
            platform.readEach(outputs, after::accept, () -> after.routed.get() + after.dead.get() >= EXAMPLES + 2,
                    Duration.ofSeconds(60), Duration.ofSeconds(1), null);
            assertThat(after.routed.get()).isEqualTo(LIMIT + 1);
            assertThat(after.deadForTheLimit.get()).isEqualTo(EXAMPLES - LIMIT + 1);
            assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    private static ProducerRecord<byte[], byte[]> raw(Topics topics, AvroSerializer<LabelledExample> serializer, int i) {
        return new ProducerRecord<>(topics.raw(), bytes("e" + i), serializer.serialize(topics.raw(), example("e" + i, "label-" + i)));
    }

    /** The labels of the task's latest declaration on the tasks topic. */
    private static List<String> latestLabels(Topics topics, SchemaRegistryClient registry, IngestConfig config) {
        AvroDeserializer<TaskSpec> specs = new AvroDeserializer<>(registry, config.registry(), TaskSpec.class);
        TaskSpec latest = null;
        for (ConsumerRecord<String, byte[]> record : platform.cluster().readAll(topics.tasks(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            if (TASK.equals(record.key())) {
                latest = specs.deserialize(record.topic(), record.value());
            }
        }
        assertThat(latest).as("the task was declared by ingest").isNotNull();
        return new ArrayList<>(latest.getLabels());
    }

    private static LabelledExample example(String id, String label) {
        return LabelledExample.newBuilder().setId(id).setTask(TASK).setText("text of " + id).setLabel(label)
                .setMetadata(Map.of()).build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
