package dev.streamtune.schemas.topics;

import java.util.Map;

/**
 * A topic as the cluster describes it ({@code describeTopics} and {@code describeConfigs}).
 *
 * @param name              the topic
 * @param partitions        its partition count
 * @param replicationFactor the smallest replica count over its partitions
 * @param configs           its effective topic configs, broker defaults included
 */
public record ObservedTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
    public ObservedTopic {
        configs = Map.copyOf(configs);
    }
}
