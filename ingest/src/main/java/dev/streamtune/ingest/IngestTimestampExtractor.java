package dev.streamtune.ingest;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The record's own timestamp; for a record without a valid one (a producer on an old protocol,
 * or a negative timestamp) the partition's time so far, or the wall clock when there is none yet.
 * Kafka's default extractor would stop the application on such a record, and the skipping one
 * would drop it; ingest must do neither.
 */
public final class IngestTimestampExtractor implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long timestamp = record.timestamp();
        if (timestamp >= 0) {
            return timestamp;
        }
        return partitionTime >= 0 ? partitionTime : System.currentTimeMillis();
    }
}
