package dev.streamtune.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.schemas.serde.RegistryException;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.DeserializationHandlerResponse;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.ProductionExceptionHandlerResponse;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.SerializationExceptionOrigin;
import org.apache.kafka.streams.errors.internals.DefaultErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class ErrorHandlingTest {
    private final IngestMetrics metrics = new IngestMetrics();
    private final ErrorHandlerContext context = new DefaultErrorHandlerContext(null, "examples.raw", 2, 41L,
            new RecordHeaders(), "gate", new TaskId(0, 2), 0L, null, null);

    @Test
    void recordsTheBrokerRefusesForGoodAreSkippedAndCounted() {
        var handler = new IngestProductionExceptionHandler();
        handler.configure(Map.of(IngestMetrics.CONFIG_KEY, metrics));
        var record = new ProducerRecord<>("examples.dlq", new byte[1], new byte[1]);
        assertThat(handler.handle(context, record, new RecordTooLargeException("too big")))
                .isEqualTo(ProductionExceptionHandlerResponse.CONTINUE);
        assertThat(metrics.skippedOnProduce()).isEqualTo(1);
    }

    @Test
    void transientProductionFailuresFailTheThreadSoTheyAreRetried() {
        var handler = new IngestProductionExceptionHandler();
        handler.configure(Map.of(IngestMetrics.CONFIG_KEY, metrics));
        var record = new ProducerRecord<>("examples.train", new byte[1], new byte[1]);
        assertThat(handler.handle(context, record, new TimeoutException("broker gone")))
                .isEqualTo(ProductionExceptionHandlerResponse.FAIL);
        assertThat(handler.handleSerializationException(context, record, new SerializationException("registry down"),
                SerializationExceptionOrigin.VALUE)).isEqualTo(ProductionExceptionHandlerResponse.FAIL);
        assertThat(metrics.skippedOnProduce()).isZero();
    }

    @Test
    void undecodableInternalRecordsAreSkippedAndCountedButRegistryOutagesAreRetried() {
        var handler = new IngestDeserializationExceptionHandler();
        handler.configure(Map.of(IngestMetrics.CONFIG_KEY, metrics));
        var record = new ConsumerRecord<>("streamtune-ingest-examples-by-task-and-id-repartition", 0, 7L,
                new byte[1], new byte[1]);
        assertThat(handler.handle(context, record, new SerializationException("does not decode")))
                .isEqualTo(DeserializationHandlerResponse.CONTINUE);
        assertThat(metrics.skippedOnDeserialize()).isEqualTo(1);

        var outage = new SerializationException("cannot fetch schema id 3",
                new RegistryException("schema registry at http://r:8081 is unreachable", new java.io.IOException()));
        assertThat(handler.handle(context, record, outage)).isEqualTo(DeserializationHandlerResponse.FAIL);
        assertThat(metrics.skippedOnDeserialize()).isEqualTo(1);
    }

    @Test
    void aRegistryOutageWhileDecodingRawIsThrownNotDeadLettered() {
        RawExampleDecoder decoder = new RawExampleDecoder((topic, bytes) -> {
            throw new SerializationException("cannot fetch schema id 1",
                    new RegistryException(503, 50301, "service unavailable"));
        });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> decoder.decode("examples.raw", new byte[] {0, 0, 0, 0, 1, 2}))
                .isInstanceOf(SerializationException.class);
        RawExampleDecoder notFound = new RawExampleDecoder((topic, bytes) -> {
            throw new SerializationException("unknown schema id 9",
                    new RegistryException(404, RegistryException.SCHEMA_NOT_FOUND, "Schema 9 not found"));
        });
        assertThat(notFound.decode("examples.raw", new byte[] {0, 0, 0, 0, 9, 2}))
                .isEqualTo(new RawExampleDecoder.Undecodable(RejectReason.UNKNOWN_SCHEMA_ID, "unknown schema id 9"));
    }

    @Test
    void recordsWithoutAValidTimestampGetThePartitionTimeOrTheWallClock() {
        var extractor = new IngestTimestampExtractor();
        var stamped = new ConsumerRecord<Object, Object>("examples.raw", 0, 0L, 1_700_000_000_000L,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0, null, null, new RecordHeaders(),
                java.util.Optional.empty());
        var unstamped = new ConsumerRecord<Object, Object>("examples.raw", 0, 1L, -1L,
                org.apache.kafka.common.record.TimestampType.NO_TIMESTAMP_TYPE, 0, 0, null, null, new RecordHeaders(),
                java.util.Optional.empty());
        assertThat(extractor.extract(stamped, 5L)).isEqualTo(1_700_000_000_000L);
        assertThat(extractor.extract(unstamped, 1_600_000_000_000L)).isEqualTo(1_600_000_000_000L);
        long before = System.currentTimeMillis();
        assertThat(extractor.extract(unstamped, -1L)).isGreaterThanOrEqualTo(before);
    }

    @Test
    void metricsSnapshotNamesEveryReason() {
        metrics.recordRejected(RejectReason.TEXT_TOO_LONG);
        metrics.recordRouted(dev.streamtune.avro.Split.TRAIN);
        Map<String, Long> snapshot = metrics.snapshot();
        for (RejectReason reason : RejectReason.values()) {
            assertThat(snapshot).containsKey("rejected." + reason.name());
        }
        assertThat(snapshot).containsEntry("rejected.TEXT_TOO_LONG", 1L).containsEntry("routed.TRAIN", 1L)
                .doesNotContainKey("routed.UNSPECIFIED");
        assertThat(new IngestApp.StatusLine(metrics, 0L).next(2_000_000_000L))
                .contains("2 records (1.0/s)").contains("routed 1").contains("rejected 1");
    }
}
