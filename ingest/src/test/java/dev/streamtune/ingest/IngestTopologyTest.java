package dev.streamtune.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.InMemorySchemaRegistryClient;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

class IngestTopologyTest {

    /**
     * Internal topic and store names are part of a deployed application's state: renaming one
     * silently starts that state from empty on upgrade (dedupe forgets, the registry forgets). This
     * test pins them.
     */
    @Test
    void internalTopicsAndStoresHaveStableNames() {
        IngestConfig config = IngestConfig.defaults("b:9092", "mock://topology-test")
                .withTopics(Topics.withPrefix("env."));
        String description = IngestTopology.build(config,
                IngestSerdes.create(new InMemorySchemaRegistryClient(), config.registry()), new IngestMetrics())
                .describe().toString();
        assertThat(description)
                .contains("topics: [env.examples.raw]")
                .contains("topic: env.examples.dlq")
                .contains("topic: env.examples.train")
                .contains("topic: env.examples.validation")
                .contains("topic: env.examples.test")
                .contains("topic: env.tasks")
                .contains("topics: [env.tasks]")
                .contains("examples-by-task-and-id-repartition")
                .contains("task-label-requests-repartition")
                .contains("registered-examples-by-task-and-id-repartition")
                .contains(IngestTopology.DEDUPE_STORE)
                .contains(IngestTopology.TASK_REGISTRY_STORE)
                .contains(IngestTopology.TASKS_STORE);
    }

    @Test
    void rawRecordsAreReadByOneGateAndTheTaskTableIsGlobal() {
        IngestConfig config = IngestConfig.defaults("b:9092", "mock://topology-test");
        TopologyDescription description = IngestTopology.build(config,
                IngestSerdes.create(new InMemorySchemaRegistryClient(), config.registry()), new IngestMetrics()).describe();
        assertThat(description.globalStores()).singleElement()
                .satisfies(g -> assertThat(g.source().topicSet()).containsExactly("tasks"));
        // gate; task registry; dedupe + split: three sub-topologies joined by the three repartition topics
        assertThat(description.subtopologies()).hasSize(3);
    }
}
