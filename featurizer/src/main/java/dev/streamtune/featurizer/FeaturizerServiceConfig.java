package dev.streamtune.featurizer;

import dev.streamtune.model.EmbedderConfig;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Everything {@link FeaturizerService} needs, from command-line flags or environment variables
 * (a flag wins over its variable). Validated here so a bad setting fails at start with its name.
 *
 * <pre>
 * flag                  environment variable                   default
 * --bootstrap           STREAMTUNE_BOOTSTRAP_SERVERS           (required)
 * --registry            STREAMTUNE_SCHEMA_REGISTRY_URL         (required)
 * --backbone            STREAMTUNE_BACKBONE                    all-MiniLM-L6-v2
 * --batch-size          STREAMTUNE_FEATURIZER_BATCH_SIZE       32
 * --max-wait-ms         STREAMTUNE_FEATURIZER_MAX_WAIT_MS      200
 * --max-tokens          STREAMTUNE_FEATURIZER_MAX_TOKENS       256
 * --threads             STREAMTUNE_FEATURIZER_THREADS          available cores
 * --topic-prefix        STREAMTUNE_TOPIC_PREFIX                ""
 * --group-id            STREAMTUNE_FEATURIZER_GROUP_ID         streamtune-featurizer
 * --transactional-id    STREAMTUNE_FEATURIZER_TRANSACTIONAL_ID streamtune-featurizer-0
 * --partitions          STREAMTUNE_FEATURIZER_PARTITIONS       3 (of the features topic, when it is created)
 * --status-interval-ms  STREAMTUNE_FEATURIZER_STATUS_MS        10000
 * --batches-per-transaction STREAMTUNE_FEATURIZER_BATCHES_PER_TRANSACTION 1
 * --kafka-config        STREAMTUNE_KAFKA_CONFIG                none (a properties file of Kafka security settings)
 * </pre>
 * {@code kafkaClient} holds those settings, for every Kafka client the service builds.
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

    /** flag name to environment variable, in the order usage lists them. */
    static final Map<String, String> ENV_BY_FLAG = envByFlag();

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

    /** Parses {@code --flag value} pairs over the environment; unknown flags are an error. */
    public static FeaturizerServiceConfig parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        ENV_BY_FLAG.forEach((flag, var) -> {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                values.put(flag, v.trim());
            }
        });
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || !ENV_BY_FLAG.containsKey(arg.substring(2))) {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; known flags: --"
                        + String.join(", --", ENV_BY_FLAG.keySet()));
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            values.put(arg.substring(2), args[++i]);
        }
        return new FeaturizerServiceConfig(
                required(values, "bootstrap"),
                required(values, "registry"),
                values.getOrDefault("backbone", MiniLmL6V2Provider.ID),
                integer(values, "batch-size", EmbedderConfig.DEFAULT_BATCH_SIZE),
                Duration.ofMillis(integer(values, "max-wait-ms", 200)),
                integer(values, "max-tokens", EmbedderConfig.DEFAULT_MAX_TOKENS),
                integer(values, "threads", Runtime.getRuntime().availableProcessors()),
                values.getOrDefault("topic-prefix", ""),
                values.getOrDefault("group-id", "streamtune-featurizer"),
                values.getOrDefault("transactional-id", "streamtune-featurizer-0"),
                integer(values, "partitions", 3),
                Duration.ofMillis(integer(values, "status-interval-ms", 10_000)),
                integer(values, "batches-per-transaction", 1),
                KafkaClientProperties.resolve(values.get("kafka-config"), Map.of()));
    }

    public FeaturizerServiceConfig withKafkaClient(KafkaClientProperties settings) {
        return new FeaturizerServiceConfig(bootstrapServers, registryUrl, backboneId, batchSize, maxWait, maxTokens, threads,
                topicPrefix, groupId, transactionalId, featuresPartitions, statusInterval, batchesPerTransaction, settings);
    }

    public static String usage() {
        StringBuilder b = new StringBuilder("usage: FeaturizerService --bootstrap HOST:PORT --registry URL [options]\n");
        ENV_BY_FLAG.forEach((flag, var) -> b.append(String.format(Locale.ROOT, "  --%-26s (env %s)%n", flag + " V", var)));
        return b.toString();
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

    private static Map<String, String> envByFlag() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bootstrap", "STREAMTUNE_BOOTSTRAP_SERVERS");
        m.put("registry", "STREAMTUNE_SCHEMA_REGISTRY_URL");
        m.put("backbone", "STREAMTUNE_BACKBONE");
        m.put("batch-size", "STREAMTUNE_FEATURIZER_BATCH_SIZE");
        m.put("max-wait-ms", "STREAMTUNE_FEATURIZER_MAX_WAIT_MS");
        m.put("max-tokens", "STREAMTUNE_FEATURIZER_MAX_TOKENS");
        m.put("threads", "STREAMTUNE_FEATURIZER_THREADS");
        m.put("topic-prefix", "STREAMTUNE_TOPIC_PREFIX");
        m.put("group-id", "STREAMTUNE_FEATURIZER_GROUP_ID");
        m.put("transactional-id", "STREAMTUNE_FEATURIZER_TRANSACTIONAL_ID");
        m.put("partitions", "STREAMTUNE_FEATURIZER_PARTITIONS");
        m.put("status-interval-ms", "STREAMTUNE_FEATURIZER_STATUS_MS");
        m.put("batches-per-transaction", "STREAMTUNE_FEATURIZER_BATCHES_PER_TRANSACTION");
        m.put("kafka-config", KafkaClientProperties.ENV);
        return java.util.Collections.unmodifiableMap(m);
    }

    private static String required(Map<String, String> values, String flag) {
        String v = values.get(flag);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + flag + " (or " + ENV_BY_FLAG.get(flag) + ") is required");
        }
        return v;
    }

    private static int integer(Map<String, String> values, String flag, int fallback) {
        String v = values.get(flag);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + " must be an integer, was '" + v + "'");
        }
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
