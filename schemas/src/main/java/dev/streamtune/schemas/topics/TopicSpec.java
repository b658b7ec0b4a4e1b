package dev.streamtune.schemas.topics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * One topic as {@link TopicDeclaration} declares it. Replication is not part of it: that depends on
 * the cluster ({@link TopicReplication}) and is the same for every topic.
 *
 * @param name            the topic's name
 * @param partitions      partitions to create it with
 * @param partitionsFixed true where order matters more than parallelism and the count must be exactly
 *                        {@code partitions} (one partition: tasks, updates, candidates, metrics,
 *                        {@code _schemas}); false where a deployment scales the count out
 * @param cleanupPolicy   {@code delete} or {@code compact}
 * @param retentionMs     {@code retention.ms}; -1 keeps records forever
 */
public record TopicSpec(String name, int partitions, boolean partitionsFixed, String cleanupPolicy, long retentionMs) {
    public static final long FOREVER = -1;

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions of topic '" + name + "' must be at least 1, got " + partitions);
        }
        if (!TopicConfig.CLEANUP_POLICY_DELETE.equals(cleanupPolicy) && !TopicConfig.CLEANUP_POLICY_COMPACT.equals(cleanupPolicy)) {
            throw new IllegalArgumentException("cleanup.policy of topic '" + name + "' must be delete or compact, got " + cleanupPolicy);
        }
        if (retentionMs < FOREVER || retentionMs == 0) {
            throw new IllegalArgumentException("retention.ms of topic '" + name + "' must be -1 (forever) or positive, got " + retentionMs);
        }
    }

    public boolean compacted() {
        return TopicConfig.CLEANUP_POLICY_COMPACT.equals(cleanupPolicy);
    }

    /** The topic-level settings it is created with: cleanup policy, retention and min ISR. */
    public Map<String, String> configs(TopicReplication replication) {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy);
        configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs));
        configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(replication.minInsyncReplicas()));
        return configs;
    }

    public NewTopic newTopic(TopicReplication replication) {
        return new NewTopic(name, partitions, (short) replication.factor()).configs(configs(replication));
    }
}
