package dev.streamtune.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class IngestConfigTest {
    private final IngestConfig defaults = IngestConfig.defaults("localhost:9092", "http://localhost:8081");

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertThat(defaults.topics()).isEqualTo(Topics.defaults());
        assertThat(defaults.limits().maxIdChars()).isEqualTo(128);
        assertThat(defaults.limits().maxTextChars()).isEqualTo(20_000);
        assertThat(defaults.limits().maxTextBytes()).isEqualTo(65_536);
        assertThat(defaults.limits().maxEventTimeAhead()).isEqualTo(Duration.ofDays(1));
        assertThat(defaults.limits().earliestEventTime()).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
        assertThat(defaults.limits().maxLabelChars()).isEqualTo(128);
        assertThat(defaults.limits().maxLabelsPerTask()).isEqualTo(1_000);
        assertThat(defaults.limits().maxMetadataEntries()).isEqualTo(64);
        assertThat(defaults.limits().maxMetadataBytes()).isEqualTo(16 * 1024);
        assertThat(defaults.splitRatios()).isEqualTo(new SplitRatios(0.8, 0.1, 0.1));
        assertThat(defaults.dedupeRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(defaults.unknownTaskPolicy()).isEqualTo(UnknownTaskPolicy.AUTO_CREATE);
        assertThat(defaults.stateStores()).isEqualTo(StateStoreKind.ROCKSDB);
    }

    @Test
    void streamsPropertiesAreExactlyOnceWithIngestHandlers() {
        IngestMetrics metrics = new IngestMetrics();
        Properties props = defaults.withStreamsOverrides(Map.of("num.stream.threads", "4")).streamsProperties(metrics);
        assertThat(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
        assertThat(props.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("streamtune-ingest");
        assertThat(props.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo("localhost:9092");
        assertThat(props.get(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG))
                .isEqualTo(IngestDeserializationExceptionHandler.class.getName());
        assertThat(props.get(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG))
                .isEqualTo(IngestProductionExceptionHandler.class.getName());
        assertThat(props.get(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG))
                .isEqualTo(IngestTimestampExtractor.class.getName());
        assertThat(props.get(IngestMetrics.CONFIG_KEY)).isSameAs(metrics);
        assertThat(props.get("num.stream.threads")).isEqualTo("4");
        // Kafka itself accepts the whole set
        new StreamsConfig(props);
    }

    @Test
    void kafkaHandsTheHandlersTheSameMetricsInstance() {
        IngestMetrics metrics = new IngestMetrics();
        StreamsConfig streamsConfig = new StreamsConfig(defaults.streamsProperties(metrics));
        var handler = streamsConfig.getConfiguredInstance(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
                org.apache.kafka.streams.errors.ProductionExceptionHandler.class);
        var context = new org.apache.kafka.streams.errors.internals.DefaultErrorHandlerContext(null, "examples.raw", 0, 1L,
                new org.apache.kafka.common.header.internals.RecordHeaders(), "gate",
                new org.apache.kafka.streams.processor.TaskId(0, 0), 0L, null, null);
        handler.handle(context, new org.apache.kafka.clients.producer.ProducerRecord<>("examples.dlq", new byte[0], new byte[0]),
                new org.apache.kafka.common.errors.RecordTooLargeException("too big"));
        assertThat(metrics.skippedOnProduce()).isEqualTo(1);
    }

    @Test
    void processingGuaranteeCannotBeWeakened() {
        assertThatThrownBy(() -> defaults.withStreamsOverrides(Map.of("processing.guarantee", "at_least_once")))
                .hasMessageContaining("processing.guarantee must be exactly_once_v2").hasMessageContaining("at_least_once");
        assertThat(defaults.withStreamsOverrides(Map.of("processing.guarantee", "exactly_once_v2")).streamsOverrides())
                .containsEntry("processing.guarantee", "exactly_once_v2");
    }

    @Test
    void identityKeysBelongToTheirOwnFields() {
        assertThatThrownBy(() -> defaults.withStreamsOverrides(Map.of("application.id", "x")))
                .hasMessageContaining("application.id belongs in its own config field");
    }

    @Test
    void badFieldsAreNamedWithTheirLimits() {
        assertThatThrownBy(() -> defaults.withApplicationId("has spaces"))
                .hasMessageContaining("applicationId must be 1 to 200 of [a-zA-Z0-9._-]");
        assertThatThrownBy(() -> defaults.withDedupeRetention(Duration.ZERO))
                .hasMessageContaining("dedupeRetention must be at least 1 second");
        assertThatThrownBy(() -> IngestConfig.defaults(" ", "http://r"))
                .hasMessageContaining("bootstrapServers");
        assertThatThrownBy(() -> new IngestLimits(0, 1, 1, Duration.ZERO, Instant.EPOCH))
                .hasMessageContaining("maxIdChars must be in [1, 4096], got 0");
        assertThatThrownBy(() -> new IngestLimits(128, 0, 1, Duration.ZERO, Instant.EPOCH))
                .hasMessageContaining("maxTextChars must be >= 1, got 0");
        assertThatThrownBy(() -> new IngestLimits(128, 10, 0, Duration.ZERO, Instant.EPOCH))
                .hasMessageContaining("maxTextBytes must be in [1, 16 MiB], got 0");
        assertThatThrownBy(() -> new IngestLimits(128, 10, 10, Duration.ofSeconds(-1), Instant.EPOCH))
                .hasMessageContaining("maxEventTimeAhead must be >= 0");
    }

    @Test
    void labelAndMetadataLimitsAreCheckedWithTheirRanges() {
        IngestLimits d = IngestLimits.defaults();
        assertThatThrownBy(() -> d.withLabels(0, 1_000)).hasMessageContaining("maxLabelChars must be in [1, 1024], got 0");
        assertThatThrownBy(() -> d.withLabels(1025, 10)).hasMessageContaining("maxLabelChars must be in [1, 1024], got 1025");
        assertThatThrownBy(() -> d.withLabels(128, 1))
                .hasMessageContaining("maxLabelsPerTask must be in [2, 100000], got 1");
        assertThatThrownBy(() -> d.withLabels(1, 100_001))
                .hasMessageContaining("maxLabelsPerTask must be in [2, 100000], got 100001");
        // 5,000 labels of 128 characters could need 2.5 MB in one TaskSpec: more than a Kafka message holds
        assertThatThrownBy(() -> d.withLabels(128, 5_000))
                .hasMessageContaining("maxLabelsPerTask (5000) times maxLabelChars (128) times 4 bytes must be at most 921600");
        assertThat(d.withLabels(32, 5_000).maxLabelsPerTask()).isEqualTo(5_000);
        assertThatThrownBy(() -> d.withMetadata(-1, 10)).hasMessageContaining("maxMetadataEntries must be in [0, 10000], got -1");
        assertThatThrownBy(() -> d.withMetadata(10_001, 10))
                .hasMessageContaining("maxMetadataEntries must be in [0, 10000], got 10001");
        assertThatThrownBy(() -> d.withMetadata(64, -1)).hasMessageContaining("maxMetadataBytes must be in [0, 16 MiB], got -1");
        assertThatThrownBy(() -> d.withMetadata(64, 16 * 1024 * 1024 + 1))
                .hasMessageContaining("maxMetadataBytes must be in [0, 16 MiB], got 16777217");
        IngestLimits none = d.withMetadata(0, 0);
        assertThat(none.maxMetadataEntries()).isZero();
        assertThat(none.maxLabelsPerTask()).as("the other limits are kept").isEqualTo(1_000);
        // the limits travel with the ingest config, which checks them when it is built
        assertThatThrownBy(() -> defaults.withLimits(new IngestLimits(128, 20_000, 65_536, Duration.ofDays(1),
                Instant.EPOCH, 128, 0, 64, 16_384))).hasMessageContaining("maxLabelsPerTask must be in [2, 100000], got 0");
    }

    @Test
    void splitRatiosMustSumToOneAndEachBeAShare() {
        assertThatThrownBy(() -> new SplitRatios(0.8, 0.1, 0.2))
                .hasMessageContaining("sum to 1.1").hasMessageContaining("must sum to 1");
        assertThatThrownBy(() -> new SplitRatios(1.2, -0.1, -0.1))
                .hasMessageContaining("split ratio train must be in [0, 1], got 1.2");
        assertThatThrownBy(() -> new SplitRatios(Double.NaN, 0.5, 0.5))
                .hasMessageContaining("split ratio train");
        assertThat(new SplitRatios(0.7, 0.2, 0.1).train()).isEqualTo(0.7); // 0.7+0.2+0.1 is 0.99999... in binary
    }
}
