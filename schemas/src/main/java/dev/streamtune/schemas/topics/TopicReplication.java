package dev.streamtune.schemas.topics;

/**
 * How many copies of each partition a deployment keeps, and how many must acknowledge a write
 * ({@code acks=all}) before it counts: the replication half of the topic declaration, which depends
 * on the cluster and not on the topic.
 *
 * <p>On one broker both are 1 (nothing to fail over to; {@link #SINGLE_BROKER}). On a cluster the
 * factor must be at least {@code minInsyncReplicas + 1}, or the loss of one broker stops every
 * {@code acks=all} writer, transactions included: {@link #CLUSTER} is RF 3 with min ISR 2.
 *
 * @param factor             replication factor, at least 1
 * @param minInsyncReplicas  {@code min.insync.replicas}, from 1 to {@code factor}
 */
public record TopicReplication(int factor, int minInsyncReplicas) {
    /** The single embedded broker of {@code up} and {@code demo}. */
    public static final TopicReplication SINGLE_BROKER = new TopicReplication(1, 1);
    /** Three brokers or more: any one may fail without stopping a writer or losing an acknowledged record. */
    public static final TopicReplication CLUSTER = new TopicReplication(3, 2);

    public TopicReplication {
        if (factor < 1 || factor > Short.MAX_VALUE) {
            throw new IllegalArgumentException("replication factor must be from 1 to " + Short.MAX_VALUE + ", got " + factor);
        }
        if (minInsyncReplicas < 1 || minInsyncReplicas > factor) {
            throw new IllegalArgumentException("min.insync.replicas must be from 1 to the replication factor "
                    + factor + ", got " + minInsyncReplicas);
        }
        if (factor > 1 && factor < minInsyncReplicas + 1) {
            throw new IllegalArgumentException("replication factor " + factor + " with min.insync.replicas "
                    + minInsyncReplicas + ": outside the single-broker mode the factor must be at least min.insync.replicas + 1 = "
                    + (minInsyncReplicas + 1) + ", so that one broker may fail");
        }
    }

    /** What a cluster of {@code brokers} live brokers gets: 1/1 on one, 2/1 on two, 3/2 from three on. */
    public static TopicReplication forBrokers(int brokers) {
        if (brokers < 1) {
            throw new IllegalArgumentException("brokers must be at least 1, got " + brokers);
        }
        return switch (brokers) {
            case 1 -> SINGLE_BROKER;
            case 2 -> new TopicReplication(2, 1);
            default -> CLUSTER;
        };
    }

    public boolean singleBroker() {
        return factor == 1;
    }
}
