package dev.streamtune.schemas.topics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Compares a topic on the cluster with its declaration: a pure function, so that every rule is
 * unit-tested without a broker.
 *
 * <p>Cleanup policy, retention and (where fixed) the partition count must equal the declaration.
 * Replication factor and {@code min.insync.replicas} must be at least what {@link TopicReplication#forBrokers}
 * asks of the live brokers, so a cluster with one broker down does not read as drift. Two rules mark a
 * drift {@link TopicDrift#unsafe unsafe}: a min ISR above the replication factor (every {@code acks=all}
 * write fails), and on more than one broker a replication factor below min ISR + 1 (one broker's loss
 * stops every writer).
 */
public final class TopicCheck {
    private TopicCheck() {}

    public static List<TopicDrift> compare(TopicSpec spec, ObservedTopic actual, int liveBrokers) {
        TopicReplication wanted = TopicReplication.forBrokers(liveBrokers);
        List<TopicDrift> drifts = new ArrayList<>();
        String topic = spec.name();
        if (spec.partitionsFixed() && actual.partitions() != spec.partitions()) {
            drifts.add(new TopicDrift(topic, "partitions", Integer.toString(spec.partitions()),
                    Integer.toString(actual.partitions()), false));
        }
        String policy = actual.configs().getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        if (!policies(policy).equals(policies(spec.cleanupPolicy()))) {
            drifts.add(new TopicDrift(topic, TopicConfig.CLEANUP_POLICY_CONFIG, spec.cleanupPolicy(), policy, false));
        }
        String retention = actual.configs().get(TopicConfig.RETENTION_MS_CONFIG);
        if (!Long.toString(spec.retentionMs()).equals(retention == null ? null : retention.trim())) {
            drifts.add(new TopicDrift(topic, TopicConfig.RETENTION_MS_CONFIG, Long.toString(spec.retentionMs()),
                    String.valueOf(retention), false));
        }
        int rf = actual.replicationFactor();
        if (rf < wanted.factor()) {
            drifts.add(new TopicDrift(topic, "replication factor", "at least " + wanted.factor() + " on "
                    + liveBrokers + " brokers", Integer.toString(rf), false));
        }
        String minIsrText = actual.configs().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
        int minIsr = parseOrZero(minIsrText);
        if (minIsr < wanted.minInsyncReplicas()) {
            drifts.add(new TopicDrift(topic, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "at least " + wanted.minInsyncReplicas()
                    + " on " + liveBrokers + (liveBrokers == 1 ? " broker" : " brokers"), String.valueOf(minIsrText), false));
        }
        if (minIsr > rf) {
            drifts.add(new TopicDrift(topic, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "at most the replication factor "
                    + rf + " (or every acks=all write fails)", Integer.toString(minIsr), true));
        } else if (liveBrokers > 1 && rf < minIsr + 1) {
            drifts.add(new TopicDrift(topic, "replication factor", "at least min.insync.replicas + 1 = " + (minIsr + 1)
                    + " outside the single-broker mode (or one broker's loss stops every writer)", Integer.toString(rf), true));
        }
        return drifts;
    }

    private static Set<String> policies(String policy) {
        return Arrays.stream(policy.split(",")).map(String::trim).filter(p -> !p.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static int parseOrZero(String value) {
        try {
            return value == null ? 0 : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
