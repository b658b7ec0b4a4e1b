package dev.streamtune.app;

import dev.streamtune.featurizer.FeaturizerServiceConfig;
import dev.streamtune.schemas.KafkaClientProperties;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The featurizer's tuning for {@code serve featurizer}: the one place its flags and environment
 * variables are read (compose, Kubernetes and {@code up} set the variables). The record they fill
 * validates them, so a bad value fails at start with the setting's name and limit.
 */
final class FeaturizerOptions {

    @Option(names = "--backbone", defaultValue = "${env:STREAMTUNE_BACKBONE:-all-MiniLM-L6-v2}",
            description = "Featurizer: the backbone that embeds the texts (env STREAMTUNE_BACKBONE). Default: ${DEFAULT-VALUE}")
    String backbone;

    @Option(names = "--batch-size", defaultValue = "${env:STREAMTUNE_FEATURIZER_BATCH_SIZE:-32}",
            description = "Featurizer: texts per backbone batch (env STREAMTUNE_FEATURIZER_BATCH_SIZE). Default: ${DEFAULT-VALUE}")
    int batchSize;

    @Option(names = "--max-wait-ms", defaultValue = "${env:STREAMTUNE_FEATURIZER_MAX_WAIT_MS:-200}",
            description = "Featurizer: the longest a partial batch waits for more texts (env STREAMTUNE_FEATURIZER_MAX_WAIT_MS). Default: ${DEFAULT-VALUE}")
    long maxWaitMs;

    @Option(names = "--max-tokens", defaultValue = "${env:STREAMTUNE_FEATURIZER_MAX_TOKENS:-256}",
            description = "Featurizer: tokens kept of each text (env STREAMTUNE_FEATURIZER_MAX_TOKENS). Default: ${DEFAULT-VALUE}")
    int maxTokens;

    @Option(names = "--threads", defaultValue = "${env:STREAMTUNE_FEATURIZER_THREADS:-0}",
            description = "Featurizer: backbone threads, 0 for every core (env STREAMTUNE_FEATURIZER_THREADS). Default: ${DEFAULT-VALUE}")
    int threads;

    @Option(names = "--transactional-id", defaultValue = "${env:STREAMTUNE_FEATURIZER_TRANSACTIONAL_ID:-"
            + FeaturizerServiceConfig.DEFAULT_TRANSACTIONAL_ID + "}",
            description = {"Featurizer: this instance's transactional id, distinct per running instance and the same",
                    "across its restarts (env STREAMTUNE_FEATURIZER_TRANSACTIONAL_ID). Default: ${DEFAULT-VALUE}"})
    String transactionalId;

    @Option(names = "--batches-per-transaction", defaultValue = "${env:STREAMTUNE_FEATURIZER_BATCHES_PER_TRANSACTION:-1}",
            description = "Featurizer: backbone batches committed in one transaction (env STREAMTUNE_FEATURIZER_BATCHES_PER_TRANSACTION). Default: ${DEFAULT-VALUE}")
    int batchesPerTransaction;

    @Option(names = "--status-interval-ms", defaultValue = "${env:STREAMTUNE_FEATURIZER_STATUS_MS:-10000}",
            description = "Featurizer: how often it logs its rate, lag and ETA (env STREAMTUNE_FEATURIZER_STATUS_MS). Default: ${DEFAULT-VALUE}")
    long statusIntervalMs;

    /** The featurizer's settings: these over the defaults, for the given cluster. */
    FeaturizerServiceConfig config(String bootstrapServers, String registryUrl, String topicPrefix, KafkaClientProperties kafkaClient) {
        FeaturizerServiceConfig d = FeaturizerServiceConfig.defaults(bootstrapServers, registryUrl);
        return new FeaturizerServiceConfig(bootstrapServers, registryUrl, backbone, batchSize, Duration.ofMillis(maxWaitMs),
                maxTokens, threads == 0 ? d.threads() : threads, topicPrefix, d.groupId(), transactionalId,
                d.featuresPartitions(), Duration.ofMillis(statusIntervalMs), batchesPerTransaction, kafkaClient);
    }
}
