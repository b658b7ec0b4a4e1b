package dev.streamtune.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.schemas.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicCheckTest {
    private static final TopicDeclaration DECLARED = TopicDeclaration.of(3);

    /** A topic exactly as the provisioner creates it on {@code replication}. */
    private static ObservedTopic asCreated(TopicSpec spec, TopicReplication replication) {
        return new ObservedTopic(spec.name(), spec.partitions(), replication.factor(), spec.configs(replication));
    }

    private static ObservedTopic with(ObservedTopic topic, String key, String value) {
        Map<String, String> configs = new HashMap<>(topic.configs());
        configs.put(key, value);
        return new ObservedTopic(topic.name(), topic.partitions(), topic.replicationFactor(), configs);
    }

    @Test
    void everyTopicAsCreatedMatchesItsDeclarationOnOneBrokerAndOnThree() {
        for (TopicSpec spec : DECLARED.all(List.of("all-MiniLM-L6-v2"))) {
            assertThat(TopicCheck.compare(spec, asCreated(spec, TopicReplication.SINGLE_BROKER), 1)).as(spec.name()).isEmpty();
            assertThat(TopicCheck.compare(spec, asCreated(spec, TopicReplication.CLUSTER), 3)).as(spec.name()).isEmpty();
        }
    }

    @Test
    void tasksWithTheDeletePolicyIsADriftNamingTopicSettingExpectedAndActual() {
        TopicSpec tasks = DECLARED.spec("tasks");
        ObservedTopic deleting = with(asCreated(tasks, TopicReplication.SINGLE_BROKER), "cleanup.policy", "delete");
        List<TopicDrift> drifts = TopicCheck.compare(tasks, deleting, 1);
        assertThat(drifts).singleElement().satisfies(d -> {
            assertThat(d.unsafe()).isFalse();
            assertThat(d.message()).isEqualTo("topic 'tasks': cleanup.policy is delete, the declaration wants compact");
        });
    }

    @Test
    void compactedTopicsKeepEverythingForeverAndTheDlqAMonth() {
        assertThat(DECLARED.spec("tasks").compacted()).isTrue();
        assertThat(DECLARED.spec("models.updates").compacted()).isTrue();
        assertThat(DECLARED.spec("_schemas").compacted()).isTrue();
        assertThat(DECLARED.spec("models.updates").retentionMs()).isEqualTo(TopicSpec.FOREVER);
        assertThat(DECLARED.spec("examples.dlq").retentionMs()).isEqualTo(30L * 24 * 3600 * 1000);
        assertThat(DECLARED.spec("features.some-other-backbone").partitions()).isEqualTo(3);
        assertThatThrownBy(() -> DECLARED.spec("examples.typo")).hasMessageContaining("'examples.typo' is not a Streamtune topic");
    }

    @Test
    void compactDeleteIsNotCompactButThePolicyOrderDoesNotMatter() {
        TopicSpec updates = DECLARED.spec("models.updates");
        ObservedTopic both = with(asCreated(updates, TopicReplication.SINGLE_BROKER), "cleanup.policy", "compact,delete");
        assertThat(TopicCheck.compare(updates, both, 1)).extracting(TopicDrift::setting).containsExactly("cleanup.policy");
        TopicSpec bothDeclared = new TopicSpec("x", 1, true, "compact", TopicSpec.FOREVER);
        ObservedTopic spaced = with(asCreated(bothDeclared, TopicReplication.SINGLE_BROKER), "cleanup.policy", " compact ");
        assertThat(TopicCheck.compare(bothDeclared, spaced, 1)).isEmpty();
    }

    @Test
    void retentionAndFixedPartitionsAreHeldButScalablePartitionsAreNot() {
        TopicSpec updates = DECLARED.spec("models.updates");
        ObservedTopic week = with(asCreated(updates, TopicReplication.SINGLE_BROKER), "retention.ms", "604800000");
        assertThat(TopicCheck.compare(updates, week, 1)).singleElement()
                .extracting(TopicDrift::message).isEqualTo("topic 'models.updates': retention.ms is 604800000, the declaration wants -1");
        ObservedTopic three = new ObservedTopic("models.updates", 3, 1, updates.configs(TopicReplication.SINGLE_BROKER));
        assertThat(TopicCheck.compare(updates, three, 1)).extracting(TopicDrift::setting).containsExactly("partitions");
        TopicSpec train = DECLARED.spec("examples.train");
        ObservedTopic twelve = new ObservedTopic("examples.train", 12, 1, train.configs(TopicReplication.SINGLE_BROKER));
        assertThat(TopicCheck.compare(train, twelve, 1)).isEmpty();
    }

    @Test
    void singleBrokerTopicsOnAClusterAreRefusedEvenWhenDriftIsAllowed() {
        TopicSpec tasks = DECLARED.spec("tasks");
        List<TopicDrift> drifts = TopicCheck.compare(tasks, asCreated(tasks, TopicReplication.SINGLE_BROKER), 3);
        assertThat(drifts).extracting(TopicDrift::setting)
                .containsExactly("replication factor", "min.insync.replicas", "replication factor");
        assertThat(drifts.get(0).unsafe()).isFalse();
        assertThat(drifts.get(2).unsafe()).isTrue();
        assertThat(drifts.get(2).message()).isEqualTo("topic 'tasks': replication factor is 1, the declaration wants at least"
                + " min.insync.replicas + 1 = 2 outside the single-broker mode (or one broker's loss stops every writer)");
    }

    @Test
    void replicationEqualToMinIsrIsUnsafeOnAClusterAndAMinIsrAboveTheFactorAnywhere() {
        TopicSpec metrics = DECLARED.spec("metrics");
        ObservedTopic rf2isr2 = with(new ObservedTopic("metrics", 1, 2, metrics.configs(TopicReplication.SINGLE_BROKER)),
                "min.insync.replicas", "2");
        assertThat(TopicCheck.compare(metrics, rf2isr2, 2)).filteredOn(TopicDrift::unsafe).singleElement()
                .extracting(TopicDrift::setting).isEqualTo("replication factor");
        ObservedTopic isrAboveRf = with(asCreated(metrics, TopicReplication.SINGLE_BROKER), "min.insync.replicas", "2");
        assertThat(TopicCheck.compare(metrics, isrAboveRf, 1)).filteredOn(TopicDrift::unsafe).singleElement()
                .extracting(TopicDrift::setting).isEqualTo("min.insync.replicas");
    }

    @Test
    void aClusterWithOneBrokerDownDoesNotReadAsDrift() {
        TopicSpec updates = DECLARED.spec("models.updates");
        assertThat(TopicCheck.compare(updates, asCreated(updates, TopicReplication.CLUSTER), 2)).isEmpty();
    }

    @Test
    void replicationIsValidatedWithTheFieldAndTheLimit() {
        assertThat(TopicReplication.forBrokers(1)).isEqualTo(TopicReplication.SINGLE_BROKER);
        assertThat(TopicReplication.forBrokers(5)).isEqualTo(new TopicReplication(3, 2));
        assertThatThrownBy(() -> new TopicReplication(2, 2)).hasMessageContaining("at least min.insync.replicas + 1 = 3");
        assertThatThrownBy(() -> new TopicReplication(1, 2)).hasMessageContaining("min.insync.replicas must be from 1 to the replication factor 1");
        assertThatThrownBy(() -> new TopicSpec("t", 0, false, "delete", 1)).hasMessageContaining("partitions of topic 't' must be at least 1");
        assertThatThrownBy(() -> new TopicSpec("t", 1, false, "keep", 1)).hasMessageContaining("cleanup.policy of topic 't'");
    }

    @Test
    void aPrefixedDeploymentDeclaresItsOwnNames() {
        TopicDeclaration staging = new TopicDeclaration(Topics.withPrefix("staging."), 2);
        assertThat(staging.spec("staging.tasks").compacted()).isTrue();
        assertThat(staging.all(List.of()).stream().map(TopicSpec::name)).contains("staging.examples.raw", "_schemas");
    }
}
