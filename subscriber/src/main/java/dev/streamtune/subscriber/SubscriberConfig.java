package dev.streamtune.subscriber;

import dev.streamtune.model.EmbedderConfig;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.signing.TrustedKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How a {@link ModelSubscriber} follows model updates.
 *
 * @param bootstrapServers  Kafka bootstrap servers
 * @param registryUrl       schema registry URL ({@code mock://scope} in unit tests)
 * @param updatesTopic      the compacted model-update topic
 * @param task              the one task to follow; empty follows every task
 * @param artifactDirectory the directory artifact store holding deltas sent by URI; empty accepts inline deltas only
 * @param embedder          encoder settings (tokens, threads); the backbone id is taken from each model
 * @param pollTimeout       how long one poll waits, in [10 ms, 10 s]; also bounds how long {@code close} waits
 * @param trustedKeys       the evaluators' public keys: only updates signed by one of them are served
 * @param kafkaClient       security settings of its Kafka consumer ({@link KafkaClientProperties#none()} for PLAINTEXT)
 */
public record SubscriberConfig(String bootstrapServers, String registryUrl, String updatesTopic, Optional<String> task,
        Optional<Path> artifactDirectory, EmbedderConfig embedder, Duration pollTimeout, TrustedKeys trustedKeys,
        KafkaClientProperties kafkaClient) {

    public SubscriberConfig {
        requireText(bootstrapServers, "bootstrapServers");
        requireText(registryUrl, "registryUrl");
        requireText(updatesTopic, "updatesTopic");
        if (task == null || task.isPresent() && task.get().isBlank()) {
            throw new IllegalArgumentException("task must be a non-blank task name, or Optional.empty() for all tasks");
        }
        if (artifactDirectory == null) {
            throw new IllegalArgumentException("artifactDirectory must not be null (Optional.empty() for inline only)");
        }
        if (embedder == null) {
            throw new IllegalArgumentException("embedder must not be null");
        }
        if (pollTimeout == null || pollTimeout.compareTo(Duration.ofMillis(10)) < 0
                || pollTimeout.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("pollTimeout must be between 10 ms and 10 s, got " + pollTimeout);
        }
        if (trustedKeys == null || trustedKeys.keyIds().isEmpty()) {
            throw new IllegalArgumentException("trustedKeys must hold at least one evaluator public key; without one"
                    + " every update would be refused");
        }
        if (kafkaClient == null) {
            throw new IllegalArgumentException("kafkaClient must not be null (KafkaClientProperties.none() for PLAINTEXT)");
        }
    }

    /** Every task, the default topic, inline deltas only, default encoder settings, 200 ms polls. */
    public static SubscriberConfig of(String bootstrapServers, String registryUrl, TrustedKeys trustedKeys) {
        return new SubscriberConfig(bootstrapServers, registryUrl, Topics.defaults().updates(), Optional.empty(),
                Optional.empty(), EmbedderConfig.defaults(MiniLmL6V2Provider.ID), Duration.ofMillis(200), trustedKeys,
                KafkaClientProperties.none());
    }

    public SubscriberConfig withTask(String name) {
        return new SubscriberConfig(bootstrapServers, registryUrl, updatesTopic, Optional.of(name), artifactDirectory,
                embedder, pollTimeout, trustedKeys, kafkaClient);
    }

    public SubscriberConfig withUpdatesTopic(String topic) {
        return new SubscriberConfig(bootstrapServers, registryUrl, topic, task, artifactDirectory, embedder,
                pollTimeout, trustedKeys, kafkaClient);
    }

    public SubscriberConfig withArtifactDirectory(Path directory) {
        return new SubscriberConfig(bootstrapServers, registryUrl, updatesTopic, task, Optional.of(directory), embedder,
                pollTimeout, trustedKeys, kafkaClient);
    }

    public SubscriberConfig withEmbedder(EmbedderConfig config) {
        return new SubscriberConfig(bootstrapServers, registryUrl, updatesTopic, task, artifactDirectory, config,
                pollTimeout, trustedKeys, kafkaClient);
    }

    public SubscriberConfig withKafkaClient(KafkaClientProperties settings) {
        return new SubscriberConfig(bootstrapServers, registryUrl, updatesTopic, task, artifactDirectory, embedder,
                pollTimeout, trustedKeys, settings);
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must be a non-blank string");
        }
    }
}
