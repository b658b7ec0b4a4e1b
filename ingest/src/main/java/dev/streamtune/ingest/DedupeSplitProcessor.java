package dev.streamtune.ingest;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.Split;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Runs on examples keyed by (task, id). Remembers a fingerprint of each example's text and label
 * for {@code retention} after it was last seen: an exact repeat is dropped, a changed example is a
 * correction and goes on with the correction header. Then assigns the split and forwards the
 * example keyed by its id.
 */
final class DedupeSplitProcessor implements Processor<String, LabelledExample, String, LabelledExample> {
    private final SplitAssigner splits;
    private final IngestMetrics metrics;
    private final long retentionMs;
    private ProcessorContext<String, LabelledExample> context;
    private TimestampedKeyValueStore<String, byte[]> seen;

    DedupeSplitProcessor(SplitAssigner splits, IngestMetrics metrics, Duration retention) {
        this.splits = splits;
        this.metrics = metrics;
        this.retentionMs = retention.toMillis();
    }

    @Override
    public void init(ProcessorContext<String, LabelledExample> context) {
        this.context = context;
        metrics.registerWith(context.metrics());
        this.seen = context.getStateStore(IngestTopology.DEDUPE_STORE);
        // lookups already ignore expired entries; the sweep only keeps the store from growing forever
        Duration sweepEvery = Duration.ofMillis(Math.max(1_000, Math.min(retentionMs / 4, Duration.ofHours(1).toMillis())));
        context.schedule(sweepEvery, PunctuationType.STREAM_TIME, this::sweepExpired);
    }

    @Override
    public void process(Record<String, LabelledExample> record) {
        LabelledExample example = record.value();
        byte[] fingerprint = fingerprint(example);
        long timestamp = record.timestamp();
        ValueAndTimestamp<byte[]> previous = seen.get(record.key());
        boolean remembered = previous != null && !isExpired(previous.timestamp());
        if (remembered && Arrays.equals(previous.value(), fingerprint)) {
            // refresh, so retention counts from the last sighting; a producer that keeps resending stays deduped
            seen.put(record.key(), ValueAndTimestamp.make(fingerprint, Math.max(timestamp, previous.timestamp())));
            metrics.recordDuplicateDropped();
            return;
        }
        seen.put(record.key(), ValueAndTimestamp.make(fingerprint, timestamp));

        Split split = splits.assign(example.getTask(), example.getId(), example.getSplit());
        LabelledExample routed = LabelledExample.newBuilder(example).setSplit(split).build();
        Headers headers = record.headers();
        headers.remove(IngestHeaders.CORRECTION);
        if (remembered) {
            headers.add(IngestHeaders.CORRECTION, "true".getBytes(StandardCharsets.UTF_8));
            metrics.recordCorrection();
        }
        metrics.recordRouted(split);
        context.forward(record.withKey(example.getId()).withValue(routed).withHeaders(headers));
    }

    private boolean isExpired(long lastSeen) {
        return lastSeen < context.currentStreamTimeMs() - retentionMs;
    }

    private void sweepExpired(long streamTime) {
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, ValueAndTimestamp<byte[]>> all = seen.all()) {
            while (all.hasNext()) {
                KeyValue<String, ValueAndTimestamp<byte[]>> entry = all.next();
                if (entry.value.timestamp() < streamTime - retentionMs) {
                    expired.add(entry.key);
                }
            }
        }
        expired.forEach(seen::delete);
    }

    /** SHA-256 of the normalized text and label: what makes two sightings "the same example". */
    static byte[] fingerprint(LabelledExample example) {
        MessageDigest digest = SplitAssigner.sha256();
        digest.update(example.getText().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(example.getLabel().getBytes(StandardCharsets.UTF_8));
        return digest.digest();
    }
}
