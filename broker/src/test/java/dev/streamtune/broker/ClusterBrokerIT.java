package dev.streamtune.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three cluster nodes (broker and controller each) in one JVM, as {@code up --brokers 3} runs them in three: the quorum
 * forms, internal topics get RF 3 and min ISR 2, a transactional writer keeps committing while the partition leader is
 * down, and the node comes back on its directory and rejoins the in-sync replicas.
 */
class ClusterBrokerIT {

    @Test
    void threeNodesSurviveTheLossOfTheLeaderAndTheNodeRejoins(@TempDir Path data) throws Exception {
        String clusterId = Uuid.randomUuid().toString();
        Map<Integer, Integer> voters = new HashMap<>();
        Map<Integer, BrokerConfig> configs = new HashMap<>();
        for (int id = 1; id <= 3; id++) {
            voters.put(id, EmbeddedKafkaBroker.freePort("localhost"));
        }
        for (int id = 1; id <= 3; id++) {
            configs.put(id, BrokerConfig.defaults().withPort(EmbeddedKafkaBroker.freePort("localhost"))
                    .withDataDirectory(data.resolve("node-" + id)).withAutoCreateTopics(false)
                    .withCluster(new ClusterMembership(id, clusterId, voters)));
        }
        long t0 = System.nanoTime();
        Map<Integer, EmbeddedKafkaBroker> nodes = startAll(configs);
        phase("quorum up", t0);
        try {
            String bootstrap = String.join(",", nodes.values().stream().map(EmbeddedKafkaBroker::bootstrapServers).toList());
            assertThat(nodes.values()).extracting(EmbeddedKafkaBroker::clusterId).containsOnly(clusterId);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
                admin.createTopics(List.of(new NewTopic("replicated", 1, (short) 3)
                        .configs(Map.of("min.insync.replicas", "2")))).all().get(30, TimeUnit.SECONDS);

                try (KafkaProducer<String, String> producer = transactional(bootstrap)) {
                    producer.initTransactions();
                    commit(producer, "before-", 10);
                    int leader = describe(admin).partitions().get(0).leader().id();
                    nodes.remove(leader).close();
                    phase("leader " + leader + " stopped", t0);

                    // the two left are min ISR: the writer keeps committing without the leader
                    commit(producer, "during-", 10);

                    phase("committed without it", t0);
                    nodes.put(leader, EmbeddedKafkaBroker.start(configs.get(leader)));
                    phase("restarted", t0);
                    commit(producer, "after-", 10);
                    awaitInSync(admin, 3);
                    phase("back in sync", t0);
                }
                TopicDescription txnState = admin.describeTopics(List.of("__transaction_state")).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get("__transaction_state");
                assertThat(txnState.partitions().get(0).replicas()).as("transaction state replicated on every node").hasSize(3);
            }
            List<String> values = readCommitted(bootstrap, 30);
            assertThat(values).hasSize(30).doesNotHaveDuplicates()
                    .contains("before-0", "during-9", "after-9");
        } finally {
            // together: a node closed last would wait for a controller quorum that is already gone
            CompletableFuture.allOf(nodes.values().stream()
                    .map(n -> CompletableFuture.runAsync(n::close)).toArray(CompletableFuture[]::new)).join();
        }
    }

    /** Nodes of one quorum start together: none can finish starting before a majority of controllers runs. */
    private static Map<Integer, EmbeddedKafkaBroker> startAll(Map<Integer, BrokerConfig> configs) {
        Map<Integer, CompletableFuture<EmbeddedKafkaBroker>> starting = new HashMap<>();
        configs.forEach((id, config) -> starting.put(id, CompletableFuture.supplyAsync(() -> EmbeddedKafkaBroker.start(config))));
        Map<Integer, EmbeddedKafkaBroker> out = new HashMap<>();
        starting.forEach((id, future) -> out.put(id, future.join()));
        return out;
    }

    private static void phase(String what, long since) {
        System.out.printf("ClusterBrokerIT: %s after %d ms%n", what, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since));
    }

    private static KafkaProducer<String, String> transactional(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "cluster-it");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        return new KafkaProducer<>(p);
    }

    private static void commit(KafkaProducer<String, String> producer, String prefix, int count) {
        producer.beginTransaction();
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>("replicated", prefix + i, prefix + i));
        }
        producer.commitTransaction();
    }

    private static TopicDescription describe(Admin admin) throws Exception {
        return admin.describeTopics(List.of("replicated")).allTopicNames().get(30, TimeUnit.SECONDS).get("replicated");
    }

    private static void awaitInSync(Admin admin, int replicas) throws Exception {
        await("the restarted node rejoins the ISR").atMost(Duration.ofSeconds(60))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .until(() -> describe(admin).partitions().get(0).isr().size() >= replicas);
    }

    private static List<String> readCommitted(String bootstrap, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition("replicated", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            // the consumer is not thread-safe: poll it on this thread
            await(expected + " committed records on replicated").atMost(Duration.ofSeconds(30))
                    .pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ZERO).untilAsserted(() -> {
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                            out.add(r.value());
                        }
                        assertThat(out).hasSizeGreaterThanOrEqualTo(expected);
                    });
        }
        return out;
    }
}
