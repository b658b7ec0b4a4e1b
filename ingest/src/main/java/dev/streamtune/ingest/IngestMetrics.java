package dev.streamtune.ingest;

import dev.streamtune.avro.Split;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters for what ingest did with each record: routed to a split, rejected (per reason), dropped
 * as an exact repeat, forwarded as a correction; and the side effects on the tasks topic. One
 * instance is shared by every processor of one application instance (all stream threads).
 *
 * <p>Counts are of processing attempts: under exactly-once a transaction that aborts and is
 * retried is counted twice here while its output appears once. Exact per-record accounting lives
 * in the topics themselves; these counters are for dashboards and tests.
 */
public final class IngestMetrics {
    /** Key under which the instance travels in the Streams config map to the exception handlers. */
    public static final String CONFIG_KEY = "streamtune.ingest.metrics";

    private final Map<RejectReason, LongAdder> rejected = new EnumMap<>(RejectReason.class);
    private final Map<Split, LongAdder> routed = new EnumMap<>(Split.class);
    private final LongAdder duplicatesDropped = new LongAdder();
    private final LongAdder corrections = new LongAdder();
    private final LongAdder tasksCreated = new LongAdder();
    private final LongAdder labelsAdded = new LongAdder();
    private final LongAdder badTaskSpecs = new LongAdder();
    private final LongAdder skippedOnDeserialize = new LongAdder();
    private final LongAdder skippedOnProduce = new LongAdder();

    public IngestMetrics() {
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, new LongAdder());
        }
        for (Split split : Split.values()) {
            routed.put(split, new LongAdder());
        }
    }

    void recordRejected(RejectReason reason) {
        rejected.get(reason).increment();
    }

    void recordRouted(Split split) {
        routed.get(split).increment();
    }

    void recordDuplicateDropped() {
        duplicatesDropped.increment();
    }

    void recordCorrection() {
        corrections.increment();
    }

    void recordTaskCreated() {
        tasksCreated.increment();
    }

    void recordLabelAdded() {
        labelsAdded.increment();
    }

    void recordBadTaskSpec() {
        badTaskSpecs.increment();
    }

    void recordSkippedOnDeserialize() {
        skippedOnDeserialize.increment();
    }

    void recordSkippedOnProduce() {
        skippedOnProduce.increment();
    }

    public long rejected(RejectReason reason) {
        return rejected.get(reason).sum();
    }

    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public long routed(Split split) {
        return routed.get(split).sum();
    }

    public long routedTotal() {
        return routed.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public long duplicatesDropped() {
        return duplicatesDropped.sum();
    }

    public long corrections() {
        return corrections.sum();
    }

    public long tasksCreated() {
        return tasksCreated.sum();
    }

    public long labelsAdded() {
        return labelsAdded.sum();
    }

    /** Records on the tasks topic that did not decode as a TaskSpec (logged, then ignored). */
    public long badTaskSpecs() {
        return badTaskSpecs.sum();
    }

    /** Records of internal topics that failed to deserialize and were skipped (logged). */
    public long skippedOnDeserialize() {
        return skippedOnDeserialize.sum();
    }

    /** Output records the broker refused for good (e.g. too large) and that were skipped (logged). */
    public long skippedOnProduce() {
        return skippedOnProduce.sum();
    }

    /** Every record ingest has finished with: routed, rejected or dropped as a repeat. */
    public long processedTotal() {
        return routedTotal() + rejectedTotal() + duplicatesDropped();
    }

    /** All counters by a stable dotted name, e.g. {@code rejected.TEXT_TOO_LONG}, {@code routed.TRAIN}. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        rejected.forEach((reason, n) -> out.put("rejected." + reason.name(), n.sum()));
        routed.forEach((split, n) -> {
            if (split != Split.UNSPECIFIED) {
                out.put("routed." + split.name(), n.sum());
            }
        });
        out.put("duplicates.dropped", duplicatesDropped());
        out.put("corrections", corrections());
        out.put("tasks.created", tasksCreated());
        out.put("labels.added", labelsAdded());
        out.put("tasks.bad.spec", badTaskSpecs());
        out.put("skipped.deserialize", skippedOnDeserialize());
        out.put("skipped.produce", skippedOnProduce());
        return out;
    }

    /** Finds the instance a handler was configured with, or a fresh one when none was passed. */
    static IngestMetrics from(Map<String, ?> configs) {
        Object value = configs.get(CONFIG_KEY);
        return value instanceof IngestMetrics metrics ? metrics : new IngestMetrics();
    }
}
