package dev.streamtune.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The scenarios run on whichever cluster {@link KafkaTestCluster} picks; the log says which. */
class KafkaTestClusterIT {

    private final KafkaTestCluster cluster = KafkaTestCluster.shared();

    @Test
    void reportsTheKindThatMatchesDockerAvailability() {
        KafkaTestCluster.Kind expected = System.getProperty(KafkaTestCluster.KIND_PROPERTY) != null
                ? KafkaTestCluster.chooseKind()
                : KafkaTestCluster.dockerAvailable() ? KafkaTestCluster.Kind.TESTCONTAINERS : KafkaTestCluster.Kind.EMBEDDED;
        assertThat(cluster.kind()).isEqualTo(expected);
        assertThat(cluster.bootstrapServers()).matches(".+:\\d+");
    }

    @Test
    void createsTopicsWithConfigAndToleratesExistingOnes() throws Exception {
        cluster.createTopics(2, Map.of("cleanup.policy", "compact"), "testkit.compacted");
        cluster.createTopics(5, Map.of("cleanup.policy", "compact"), "testkit.compacted");
        assertThat(cluster.topics()).contains("testkit.compacted");
        try (var admin = cluster.admin()) {
            var description = admin.describeTopics(List.of("testkit.compacted")).allTopicNames().get()
                    .get("testkit.compacted");
            assertThat(description.partitions()).hasSize(2);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "testkit.compacted");
            ConfigEntry policy = admin.describeConfigs(List.of(resource)).all().get().get(resource)
                    .get("cleanup.policy");
            assertThat(policy.value()).isEqualTo("compact");
        }
    }

    @Test
    void readAllReturnsCommittedRecordsInPartitionAndOffsetOrder() {
        cluster.createTopics(2, "testkit.read-all");
        try (KafkaProducer<String, String> producer = cluster.producer(new StringSerializer(), new StringSerializer(),
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "testkit-it"))) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 6; i++) {
                producer.send(new ProducerRecord<>("testkit.read-all", i % 2, "k" + i, "committed-" + i));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("testkit.read-all", 0, "k", "aborted"));
            producer.abortTransaction();
        }
        List<ConsumerRecord<String, String>> records =
                cluster.readAll("testkit.read-all", new StringDeserializer(), new StringDeserializer());
        assertThat(records).extracting(ConsumerRecord::value).containsExactly(
                "committed-0", "committed-2", "committed-4", "committed-1", "committed-3", "committed-5");
    }

    @Test
    void readAllOfAMissingTopicFailsWithItsName() {
        assertThatThrownBy(() -> cluster.readAllBytes("testkit.never-created"))
                .hasMessageContaining("testkit.never-created");
    }
}
