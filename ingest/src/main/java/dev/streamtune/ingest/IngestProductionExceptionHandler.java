package dev.streamtune.ingest;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what happens when an output record cannot be written. A record the broker refuses for
 * good (too large, invalid) would fail again on every retry and stop ingest for ever, so it is
 * logged with its source coordinates and counted, then skipped. Every other failure (a broker or
 * registry outage, a fenced producer) fails the thread, which is replaced; with exactly-once the
 * aborted transaction is replayed and nothing is lost.
 */
public final class IngestProductionExceptionHandler implements ProductionExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(IngestProductionExceptionHandler.class);
    private IngestMetrics metrics = new IngestMetrics();

    @Override
    public void configure(Map<String, ?> configs) {
        metrics = IngestMetrics.from(configs);
    }

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                                     Exception exception) {
        if (exception instanceof RecordTooLargeException || exception instanceof InvalidRecordException) {
            metrics.recordSkippedOnProduce();
            LOG.error("Skipping an output record to {} that the broker refuses ({}), produced from input {}-{}@{}",
                    record.topic(), exception.toString(), context.topic(), context.partition(), context.offset());
            return ProductionExceptionHandlerResponse.CONTINUE;
        }
        return ProductionExceptionHandlerResponse.FAIL;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public ProductionExceptionHandlerResponse handleSerializationException(ErrorHandlerContext context,
            ProducerRecord record, Exception exception, SerializationExceptionOrigin origin) {
        // our outputs are records ingest built and validated; failing to serialize one is either a
        // registry outage (retry) or a bug (must be seen): never skip silently
        LOG.error("Cannot serialize the {} of an output record to {} (from input {}-{}@{}): {}", origin,
                record.topic(), context.topic(), context.partition(), context.offset(), exception.toString());
        return ProductionExceptionHandlerResponse.FAIL;
    }
}
