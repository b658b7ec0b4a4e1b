package dev.streamtune.ingest;

import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Everything the ingest application needs, validated once here so that the topology can trust it.
 *
 * @param topics             topic names (examples.raw in; the split topics, examples.dlq and tasks out)
 * @param applicationId      Kafka Streams {@code application.id}: consumer group, internal topic prefix
 * @param bootstrapServers   Kafka {@code bootstrap.servers}
 * @param registry           serde settings, including {@code schema.registry.url}
 * @param limits             what a valid example may look like
 * @param splitRatios        train/validation/test shares for examples that do not pin a split
 * @param dedupeRetention    how long after it was last seen a (task, id) is remembered for dedupe
 * @param unknownTaskPolicy  auto-create an open task, or reject the example
 * @param serviceName        written to the dead-letter header {@code streamtune.dlq.service}
 * @param stateStores        RocksDB (default) or in-memory dedupe and task-registry stores
 * @param streamsOverrides   further Kafka Streams / client settings (e.g. {@code num.stream.threads},
 *                           {@code replication.factor}); {@code processing.guarantee} may not be weakened
 * @param kafkaClient        security settings of every client the Streams app runs
 *                           ({@link KafkaClientProperties#none()} for PLAINTEXT)
 */
public record IngestConfig(
        Topics topics,
        String applicationId,
        String bootstrapServers,
        AvroSerdeConfig registry,
        IngestLimits limits,
        SplitRatios splitRatios,
        Duration dedupeRetention,
        UnknownTaskPolicy unknownTaskPolicy,
        String serviceName,
        StateStoreKind stateStores,
        Map<String, String> streamsOverrides,
        KafkaClientProperties kafkaClient) {

    public static final String DEFAULT_APPLICATION_ID = "streamtune-ingest";
    /** Kafka's rule for names that become part of topic names. */
    private static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

    public IngestConfig {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(splitRatios, "splitRatios");
        Objects.requireNonNull(unknownTaskPolicy, "unknownTaskPolicy");
        Objects.requireNonNull(stateStores, "stateStores");
        Objects.requireNonNull(kafkaClient, "kafkaClient (KafkaClientProperties.none() for PLAINTEXT)");
        if (applicationId == null || !LEGAL_NAME.matcher(applicationId).matches()) {
            throw new IllegalArgumentException("applicationId must be 1 to 200 of [a-zA-Z0-9._-], got '"
                    + applicationId + "'");
        }
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must name at least one host:port");
        }
        if (dedupeRetention == null || dedupeRetention.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("dedupeRetention must be at least 1 second, got " + dedupeRetention);
        }
        if (serviceName == null || serviceName.isBlank()) {
            throw new IllegalArgumentException("serviceName must not be blank");
        }
        streamsOverrides = Map.copyOf(streamsOverrides == null ? Map.of() : streamsOverrides);
        String guarantee = streamsOverrides.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (guarantee != null && !guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2)) {
            throw new IllegalArgumentException(StreamsConfig.PROCESSING_GUARANTEE_CONFIG + " must be "
                    + StreamsConfig.EXACTLY_ONCE_V2 + " (ingest must neither lose nor duplicate records), got '"
                    + guarantee + "'");
        }
        for (String fixed : new String[] {StreamsConfig.APPLICATION_ID_CONFIG, StreamsConfig.BOOTSTRAP_SERVERS_CONFIG}) {
            if (streamsOverrides.containsKey(fixed)) {
                throw new IllegalArgumentException(fixed + " belongs in its own config field, not in streamsOverrides");
            }
        }
    }

    /** Default topics, limits, 80/10/10 split, 7-day dedupe retention, auto-created tasks. */
    public static IngestConfig defaults(String bootstrapServers, String registryUrl) {
        return new IngestConfig(Topics.defaults(), DEFAULT_APPLICATION_ID, bootstrapServers,
                AvroSerdeConfig.of(registryUrl), IngestLimits.defaults(), SplitRatios.defaults(),
                Duration.ofDays(7), UnknownTaskPolicy.AUTO_CREATE, "streamtune-ingest",
                StateStoreKind.ROCKSDB, Map.of(), KafkaClientProperties.none());
    }

    public IngestConfig withTopics(Topics newTopics) {
        return new IngestConfig(newTopics, applicationId, bootstrapServers, registry, limits, splitRatios,
                dedupeRetention, unknownTaskPolicy, serviceName, stateStores, streamsOverrides, kafkaClient);
    }

    public IngestConfig withApplicationId(String newApplicationId) {
        return new IngestConfig(topics, newApplicationId, bootstrapServers, registry, limits, splitRatios,
                dedupeRetention, unknownTaskPolicy, serviceName, stateStores, streamsOverrides, kafkaClient);
    }

    public IngestConfig withLimits(IngestLimits newLimits) {
        return new IngestConfig(topics, applicationId, bootstrapServers, registry, newLimits, splitRatios,
                dedupeRetention, unknownTaskPolicy, serviceName, stateStores, streamsOverrides, kafkaClient);
    }

    public IngestConfig withSplitRatios(SplitRatios newRatios) {
        return new IngestConfig(topics, applicationId, bootstrapServers, registry, limits, newRatios,
                dedupeRetention, unknownTaskPolicy, serviceName, stateStores, streamsOverrides, kafkaClient);
    }

    public IngestConfig withDedupeRetention(Duration newRetention) {
        return new IngestConfig(topics, applicationId, bootstrapServers, registry, limits, splitRatios,
                newRetention, unknownTaskPolicy, serviceName, stateStores, streamsOverrides, kafkaClient);
    }

    public IngestConfig withUnknownTaskPolicy(UnknownTaskPolicy newPolicy) {
        return new IngestConfig(topics, applicationId, bootstrapServers, registry, limits, splitRatios,
                dedupeRetention, newPolicy, serviceName, stateStores, streamsOverrides, kafkaClient);
    }

    public IngestConfig withStateStores(StateStoreKind newKind) {
        return new IngestConfig(topics, applicationId, bootstrapServers, registry, limits, splitRatios,
                dedupeRetention, unknownTaskPolicy, serviceName, newKind, streamsOverrides, kafkaClient);
    }

    public IngestConfig withStreamsOverrides(Map<String, String> newOverrides) {
        return new IngestConfig(topics, applicationId, bootstrapServers, registry, limits, splitRatios,
                dedupeRetention, unknownTaskPolicy, serviceName, stateStores, newOverrides, kafkaClient);
    }

    public IngestConfig withKafkaClient(KafkaClientProperties settings) {
        return new IngestConfig(topics, applicationId, bootstrapServers, registry, limits, splitRatios,
                dedupeRetention, unknownTaskPolicy, serviceName, stateStores, streamsOverrides, settings);
    }

    /**
     * The Kafka Streams properties: exactly-once v2, our timestamp extractor and exception handlers,
     * then the overrides. The {@code metrics} instance is handed to the handlers through the config
     * map (Kafka creates them reflectively), so what they skip is counted where the rest is.
     */
    public Properties streamsProperties(IngestMetrics metrics) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        kafkaClient.applyTo(props);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // One produce request in flight per connection, as every producer here (ProducerSettings says why:
        // KAFKA-18202's transactions-v2 first-write refusal, logged at ERROR on every fresh start, and
        // KAFKA-14359's lost first batch); Streams builds its own producer, so the setting goes by prefix.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION), 1);
        props.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, IngestTimestampExtractor.class.getName());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                IngestDeserializationExceptionHandler.class.getName());
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
                IngestProductionExceptionHandler.class.getName());
        props.put(IngestMetrics.CONFIG_KEY, metrics);
        props.putAll(streamsOverrides);
        return props;
    }

}
