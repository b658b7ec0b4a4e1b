package dev.streamtune.ingest;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raw examples and task declarations are read as bytes and decoded by ingest's own processors,
 * which dead-letter or skip bad ones with a reason. What can still reach this handler is a record
 * of ingest's own internal topics (repartition topics, changelogs). A registry outage is retried
 * (the thread fails and is replaced; exactly-once replays the transaction); any other failure is
 * logged with its coordinates and counted, then skipped, so one bad record cannot stop ingest.
 */
public final class IngestDeserializationExceptionHandler implements DeserializationExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(IngestDeserializationExceptionHandler.class);
    private IngestMetrics metrics = new IngestMetrics();

    @Override
    public void configure(Map<String, ?> configs) {
        metrics = IngestMetrics.from(configs);
    }

    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                                 Exception exception) {
        if (RegistryFailures.isTransient(exception)) {
            LOG.warn("Schema registry failure while reading {}-{}@{}; failing the thread so the record is retried: {}",
                    record.topic(), record.partition(), record.offset(), exception.getMessage());
            return DeserializationHandlerResponse.FAIL;
        }
        metrics.recordSkippedOnDeserialize();
        LOG.error("Skipping undecodable record {}-{}@{} (task {}, processor {}): {}", record.topic(),
                record.partition(), record.offset(), context.taskId(), context.processorNodeId(),
                exception.toString());
        return DeserializationHandlerResponse.CONTINUE;
    }
}
