package dev.streamtune.featurizer;

import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the featurizer loop.
 *
 * @param batchSize      texts per backbone call: larger batches amortize the call, smaller ones cut latency
 * @param maxWait        how long a partial batch may wait for more records before it is encoded anyway
 * @param transactionalId stable per instance, so that a restarted instance fences its predecessor
 * @param batchesPerTransaction backbone batches committed together in one transaction
 */
public record FeaturizerConfig(
        String bootstrapServers,
        AvroSerdeConfig serde,
        Topics topics,
        String groupId,
        String transactionalId,
        int batchSize,
        Duration maxWait,
        int batchesPerTransaction) {

    public static final int MAX_BATCH_SIZE = 4096;
    public static final int MAX_BATCHES_PER_TRANSACTION = 1024;

    public FeaturizerConfig {
        Objects.requireNonNull(serde, "serde");
        Objects.requireNonNull(topics, "topics");
        requireText(bootstrapServers, "bootstrapServers");
        requireText(groupId, "groupId");
        requireText(transactionalId, "transactionalId");
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batchSize must be between 1 and " + MAX_BATCH_SIZE + ", got " + batchSize);
        }
        if (batchesPerTransaction < 1 || batchesPerTransaction > MAX_BATCHES_PER_TRANSACTION) {
            throw new IllegalArgumentException("batchesPerTransaction must be between 1 and "
                    + MAX_BATCHES_PER_TRANSACTION + ", got " + batchesPerTransaction);
        }
        if (maxWait == null || maxWait.isNegative() || maxWait.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("maxWait must be between 0 and 5 minutes, got " + maxWait);
        }
    }

    /** One backbone batch per transaction. */
    public FeaturizerConfig(String bootstrapServers, AvroSerdeConfig serde, Topics topics, String groupId,
                            String transactionalId, int batchSize, Duration maxWait) {
        this(bootstrapServers, serde, topics, groupId, transactionalId, batchSize, maxWait, 1);
    }

    /** Records per transaction: the loop commits once it holds this many (or after {@code maxWait}). */
    public int transactionSize() {
        return batchSize * batchesPerTransaction;
    }

    public static FeaturizerConfig defaults(String bootstrapServers, String registryUrl) {
        return new FeaturizerConfig(bootstrapServers, AvroSerdeConfig.of(registryUrl), Topics.defaults(),
                "streamtune-featurizer", "streamtune-featurizer-0", 64, Duration.ofMillis(200));
    }

    public FeaturizerConfig withBatch(int size, Duration wait) {
        return new FeaturizerConfig(bootstrapServers, serde, topics, groupId, transactionalId, size, wait, batchesPerTransaction);
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
    }
}
