package dev.streamtune.schemas.topics;

/**
 * One way a topic on the cluster contradicts its declaration.
 *
 * @param topic      the topic
 * @param setting    what differs: {@code cleanup.policy}, {@code retention.ms}, {@code min.insync.replicas},
 *                   {@code partitions} or {@code replication factor}
 * @param expected   what the declaration wants, in words ({@code compact}, {@code at least 3})
 * @param actual     what the cluster has
 * @param unsafe     true where no flag may downgrade it to a warning: writes would fail, or one broker's
 *                   loss would stop them, outside the single-broker mode
 */
public record TopicDrift(String topic, String setting, String expected, String actual, boolean unsafe) {

    public String message() {
        return "topic '" + topic + "': " + setting + " is " + actual + ", the declaration wants " + expected;
    }
}
