package dev.streamtune.featurizer;

import dev.streamtune.model.EmbedderConfig;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import java.time.Duration;

/**
 * Everything {@link FeaturizerService} needs, validated here so a bad setting fails at start with its
 * name and limit. {@code streamtune serve featurizer} fills it from its flags and their environment
 * variables (the one parser of every service's settings); {@link #defaults} is the rest.
 * {@code kafkaClient} holds the Kafka security settings, for every Kafka client the service builds.
 */
public record FeaturizerServiceConfig(
        String bootstrapServers,
        String registryUrl,
        String backboneId,
        int batchSize,
        Duration maxWait,
        int maxTokens,
        int threads,
        String topicPrefix,
        String groupId,
        String transactionalId,
        int featuresPartitions,
        Duration statusInterval,
        int batchesPerTransaction,
        KafkaClientProperties kafkaClient) {

    /** The consumer group every instance joins (they share the train, validation and test partitions). */
    public static final String DEFAULT_GROUP_ID = "streamtune-featurizer";
    /** Each instance's own transactional id: this prefix and a number, distinct per running instance. */
    public static final String DEFAULT_TRANSACTIONAL_ID = DEFAULT_GROUP_ID + "-0";
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(200);
    public static final Duration DEFAULT_STATUS_INTERVAL = Duration.ofSeconds(10);

    public FeaturizerServiceConfig {
        requireText("bootstrap", bootstrapServers);
        requireText("registry", registryUrl);
        requireText("backbone", backboneId);
        requireText("group-id", groupId);
        requireText("transactional-id", transactionalId);
        if (kafkaClient == null) {
            throw new IllegalArgumentException("kafka-config must not be null (KafkaClientProperties.none() for PLAINTEXT)");
        }
        if (topicPrefix == null) {
            throw new IllegalArgumentException("topic-prefix must not be null (use \"\" for none)");
        }
        requireRange("batch-size", batchSize, 1, FeaturizerConfig.MAX_BATCH_SIZE);
        requireRange("max-tokens", maxTokens, 2, 8192);
        requireRange("threads", threads, 1, 1024);
        requireRange("partitions", featuresPartitions, 1, 10_000);
        requireRange("batches-per-transaction", batchesPerTransaction, 1, FeaturizerConfig.MAX_BATCHES_PER_TRANSACTION);
        if (maxWait == null || maxWait.isNegative() || maxWait.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("max-wait-ms must be between 0 and 300000, was " + maxWait);
        }
        if (statusInterval == null || statusInterval.toMillis() < 100 || statusInterval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("status-interval-ms must be between 100 and 3600000, was " + statusInterval);
        }
    }

    /** The defaults for everything but where Kafka and the registry are: MiniLM, PLAINTEXT, no topic prefix. */
    public static FeaturizerServiceConfig defaults(String bootstrapServers, String registryUrl) {
        return new FeaturizerServiceConfig(bootstrapServers, registryUrl, MiniLmL6V2Provider.ID, EmbedderConfig.DEFAULT_BATCH_SIZE,
                DEFAULT_MAX_WAIT, EmbedderConfig.DEFAULT_MAX_TOKENS, Runtime.getRuntime().availableProcessors(), "",
                DEFAULT_GROUP_ID, DEFAULT_TRANSACTIONAL_ID, 3, DEFAULT_STATUS_INTERVAL, 1, KafkaClientProperties.none());
    }

    public FeaturizerServiceConfig withKafkaClient(KafkaClientProperties settings) {
        return new FeaturizerServiceConfig(bootstrapServers, registryUrl, backboneId, batchSize, maxWait, maxTokens, threads,
                topicPrefix, groupId, transactionalId, featuresPartitions, statusInterval, batchesPerTransaction, settings);
    }

    public Topics topics() {
        return Topics.withPrefix(topicPrefix);
    }

    public FeaturizerConfig featurizerConfig() {
        return new FeaturizerConfig(bootstrapServers, AvroSerdeConfig.of(registryUrl), topics(), groupId,
                transactionalId, batchSize, maxWait, batchesPerTransaction);
    }

    /** The backbone batches as the loop does; bucketing by length happens within one loop batch. */
    public EmbedderConfig embedderConfig() {
        return new EmbedderConfig(backboneId, maxTokens, batchSize, batchSize, threads);
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
    }

    private static void requireRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", was " + value);
        }
    }
}
