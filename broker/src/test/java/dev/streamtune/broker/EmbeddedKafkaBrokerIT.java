package dev.streamtune.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerIT {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(BrokerConfig.defaults());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void createsATopicAndRoundTripsRecords() throws Exception {
        createTopic(broker, "round-trip", 3);
        try (KafkaProducer<String, String> producer = producer(broker, Map.of())) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>("round-trip", "key-" + i, "value-" + i)).get();
            }
        }
        List<ConsumerRecord<String, String>> records = readAll(broker, "round-trip", "read_uncommitted");
        assertThat(records).hasSize(30);
        assertThat(records).extracting(ConsumerRecord::value).contains("value-0", "value-29");
        assertThat(records).extracting(ConsumerRecord::partition).containsOnly(0, 1, 2).contains(0, 1, 2);
    }

    @Test
    void readCommittedConsumersSeeCommittedTransactionsOnly() throws Exception {
        createTopic(broker, "transactions", 1);
        try (KafkaProducer<String, String> producer = producer(broker,
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "streamtune-broker-it"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactions", "a", "committed-1"));
            producer.send(new ProducerRecord<>("transactions", "b", "committed-2"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactions", "c", "aborted")).get();
            producer.abortTransaction();
        }
        assertThat(readAll(broker, "transactions", "read_committed"))
                .extracting(ConsumerRecord::value).containsExactly("committed-1", "committed-2");
        assertThat(readAll(broker, "transactions", "read_uncommitted"))
                .extracting(ConsumerRecord::value).contains("aborted");
    }

    @Test
    void consumerGroupsCommitOffsets() throws Exception {
        createTopic(broker, "grouped", 1);
        try (KafkaProducer<String, String> producer = producer(broker, Map.of())) {
            producer.send(new ProducerRecord<>("grouped", "k", "v")).get();
        }
        try (KafkaConsumer<String, String> consumer = consumer(broker, "read_uncommitted",
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, "it-group"))) {
            consumer.subscribe(List.of("grouped"));
            int[] seen = {0};
            // the consumer is not thread-safe: poll it on this thread
            await("a record on grouped").atMost(Duration.ofSeconds(30))
                    .pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ZERO).until(() -> {
                        seen[0] += consumer.poll(Duration.ofMillis(200)).count();
                        return seen[0] > 0;
                    });
            assertThat(seen[0]).isEqualTo(1);
            consumer.commitSync();
            assertThat(consumer.committed(Set.of(new TopicPartition("grouped", 0)))
                    .get(new TopicPartition("grouped", 0)).offset()).isEqualTo(1);
        }
    }

    @Test
    void restartOnTheSameDirectoryKeepsClusterTopicsAndRecords(@TempDir Path directory) throws Exception {
        String clusterId;
        int firstPort;
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(
                BrokerConfig.defaults().withDataDirectory(directory))) {
            clusterId = first.clusterId();
            firstPort = first.port();
            createTopic(first, "durable", 2);
            try (KafkaProducer<String, String> producer = producer(first, Map.of())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("durable", "k" + i, "v" + i)).get();
                }
            }
        }
        assertThat(directory.resolve("meta.properties")).exists();
        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.start(
                BrokerConfig.defaults().withDataDirectory(directory))) {
            assertThat(second.clusterId()).isEqualTo(clusterId);
            assertThat(second.port()).isNotZero();
            try (Admin admin = admin(second)) {
                assertThat(admin.listTopics().names().get()).contains("durable");
                assertThat(admin.describeTopics(List.of("durable")).allTopicNames().get()
                        .get("durable").partitions()).hasSize(2);
            }
            assertThat(readAll(second, "durable", "read_uncommitted"))
                    .extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
        }
        assertThat(firstPort).isPositive();
        assertThat(Files.list(directory)).isNotEmpty();
    }

    @Test
    void twoBrokersRunSideBySideOnEphemeralPortsAndTemporaryDirectoriesAreRemoved() throws Exception {
        Path firstDirectory;
        try (EmbeddedKafkaBroker other = EmbeddedKafkaBroker.start(BrokerConfig.defaults())) {
            firstDirectory = other.dataDirectory();
            assertThat(other.port()).isNotEqualTo(broker.port());
            assertThat(other.clusterId()).isNotEqualTo(broker.clusterId());
            createTopic(other, "only-on-other", 1);
            try (KafkaProducer<String, String> producer = producer(other, Map.of())) {
                producer.send(new ProducerRecord<>("only-on-other", "k", "v")).get();
            }
            try (Admin admin = admin(broker)) {
                assertThat(admin.listTopics().names().get()).doesNotContain("only-on-other");
            }
            assertThat(readAll(other, "only-on-other", "read_uncommitted")).hasSize(1);
        }
        assertThat(firstDirectory).doesNotExist();
    }

    private static void createTopic(EmbeddedKafkaBroker target, String topic, int partitions) throws Exception {
        try (Admin admin = admin(target)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static Admin admin(EmbeddedKafkaBroker target) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafkaBroker target, Map<String, Object> extra) {
        Map<String, Object> props = new java.util.HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0));
        props.putAll(extra);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(EmbeddedKafkaBroker target, String isolation,
            Map<String, Object> extra) {
        Map<String, Object> props = new java.util.HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
        props.putAll(extra);
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    /** Every record of the topic up to its current end (the last stable offset for read_committed). */
    private static List<ConsumerRecord<String, String>> readAll(EmbeddedKafkaBroker target, String topic,
            String isolation) {
        try (KafkaConsumer<String, String> consumer = consumer(target, isolation, Map.of())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            // the consumer is not thread-safe: poll it on this thread
            await("reading " + topic + " to its end").atMost(Duration.ofSeconds(30))
                    .pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ZERO).until(() -> {
                        if (partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p))) {
                            return true;
                        }
                        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                        return false;
                    });
            return records;
        }
    }

    private static final Path KCAT = Path.of("/usr/bin/kcat");

    /** A client outside the JVM (librdkafka's kcat, from Debian); skipped where kcat is not installed. */
    @Test
    void kcatProducesAndConsumesAgainstTheEmbeddedBroker() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(KCAT), "skipped: /usr/bin/kcat is missing (apt-get install kcat)");
        String fromKcat = run(List.of(KCAT.toString(), "-b", broker.bootstrapServers(), "-t", "from-kcat",
                "-P", "-K", ":"), "k1:hello\nk2:world\n");
        assertThat(fromKcat).isEmpty();
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition("from-kcat", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            // the consumer is not thread-safe: poll it on this thread
            await("two records from kcat").atMost(Duration.ofSeconds(30))
                    .pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ZERO).untilAsserted(() -> {
                        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                            seen.add(record.key() + "=" + record.value());
                        }
                        assertThat(seen).hasSizeGreaterThanOrEqualTo(2);
                    });
        }
        assertThat(seen).containsExactly("k1=hello", "k2=world");

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("from-java", "j", "from the JVM")).get();
        }
        String consumed = run(List.of(KCAT.toString(), "-b", broker.bootstrapServers(), "-t", "from-java",
                "-C", "-o", "beginning", "-e", "-f", "%k|%s\\n"), "");
        assertThat(consumed.strip()).isEqualTo("j|from the JVM");
    }

    private static String run(List<String> command, String stdin) throws Exception {
        Path stderr = Files.createTempFile("kcat-", ".stderr");
        try {
            Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            try (var in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean finished = process.waitFor(60, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            assertThat(finished).as("%s finished", command).isTrue();
            assertThat(process.exitValue()).as("%s exit status; stderr: %s", command, Files.readString(stderr)).isZero();
            return out;
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}
