package dev.streamtune.ingest;

import dev.streamtune.avro.Split;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.MeasurableStat;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * Counters for what ingest did with each record: routed to a split, rejected (per reason), dropped
 * as an exact repeat, forwarded as a correction; and the side effects on the tasks topic. One
 * instance is shared by every processor of one application instance (all stream threads).
 *
 * <p>Counts are of processing attempts: under exactly-once a transaction that aborts and is
 * retried is counted twice here while its output appears once. Exact per-record accounting lives
 * in the topics themselves; these counters are for dashboards and tests.
 *
 * <p>As a {@link MeterBinder} every counter is a Prometheus counter of the service's {@code /metrics}, e.g.
 * {@code streamtune_ingest_dead_letters_total{reason="TEXT_TOO_LONG"}}.
 */
public final class IngestMetrics implements MeterBinder {
    /** Key under which the instance travels in the Streams config map to the exception handlers. */
    public static final String CONFIG_KEY = "streamtune.ingest.metrics";
    /** Metric group of these counters in {@code KafkaStreams.metrics()} (and so in JMX). */
    public static final String METRIC_GROUP = "streamtune-ingest";

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

    /**
     * Makes every counter readable through Kafka's own metrics ({@code KafkaStreams.metrics()},
     * JMX, any metrics reporter), e.g. {@code rejected-total{reason=TEXT_TOO_LONG}}. Idempotent:
     * each processor calls it from {@code init}, and the first call per application registers.
     */
    void registerWith(StreamsMetrics streamsMetrics) {
        Sensor sensor = streamsMetrics.addSensor(METRIC_GROUP + "-counters", Sensor.RecordingLevel.INFO);
        rejected.forEach((reason, n) -> sensor.add(name("rejected-total", "Records sent to the dead-letter topic",
                Map.of("reason", reason.name())), new CounterStat(n)));
        routed.forEach((split, n) -> {
            if (split != Split.UNSPECIFIED) {
                sensor.add(name("routed-total", "Examples written to a split topic", Map.of("split", split.name())),
                        new CounterStat(n));
            }
        });
        sensor.add(name("duplicates-dropped-total", "Exact repeats dropped by dedupe", Map.of()),
                new CounterStat(duplicatesDropped));
        sensor.add(name("corrections-total", "Examples forwarded as corrections", Map.of()), new CounterStat(corrections));
        sensor.add(name("tasks-created-total", "Tasks auto-created", Map.of()), new CounterStat(tasksCreated));
        sensor.add(name("labels-added-total", "Labels appended to open tasks", Map.of()), new CounterStat(labelsAdded));
        sensor.add(name("bad-task-specs-total", "Undecodable records on the tasks topic", Map.of()),
                new CounterStat(badTaskSpecs));
        sensor.add(name("skipped-deserialize-total", "Internal records skipped as undecodable", Map.of()),
                new CounterStat(skippedOnDeserialize));
        sensor.add(name("skipped-produce-total", "Output records the broker refused for good", Map.of()),
                new CounterStat(skippedOnProduce));
    }

    /** Every counter, read through: dead letters by reason, examples by split, and the rest. */
    @Override
    public void bindTo(MeterRegistry registry) {
        rejected.forEach((reason, n) -> counter("streamtune.ingest.dead.letters", n,
                "Records ingest sent to the dead-letter topic, by reason").tag("reason", reason.name()).register(registry));
        routed.forEach((split, n) -> {
            if (split != Split.UNSPECIFIED) {
                counter("streamtune.ingest.examples.routed", n, "Examples ingest wrote to a split topic")
                        .tag("split", split.name()).register(registry);
            }
        });
        counter("streamtune.ingest.duplicates.dropped", duplicatesDropped, "Exact repeats dropped by dedupe")
                .register(registry);
        counter("streamtune.ingest.corrections", corrections, "Examples forwarded as corrections").register(registry);
        counter("streamtune.ingest.tasks.created", tasksCreated, "Tasks auto-created").register(registry);
        counter("streamtune.ingest.labels.added", labelsAdded, "Labels appended to open tasks").register(registry);
        counter("streamtune.ingest.task.specs.bad", badTaskSpecs, "Undecodable records on the tasks topic")
                .register(registry);
        counter("streamtune.ingest.records.skipped", skippedOnDeserialize,
                "Records skipped: internal ones that did not decode, outputs the broker refused for good")
                .tag("stage", "deserialize").register(registry);
        counter("streamtune.ingest.records.skipped", skippedOnProduce,
                "Records skipped: internal ones that did not decode, outputs the broker refused for good")
                .tag("stage", "produce").register(registry);
    }

    private static FunctionCounter.Builder<LongAdder> counter(String name, LongAdder counter,
            String description) {
        return FunctionCounter.builder(name, counter, LongAdder::sum).description(description);
    }

    private static MetricName name(String name, String description, Map<String, String> tags) {
        return new MetricName(name, METRIC_GROUP, description, tags);
    }

    /** A read-through view of one counter; the counting itself happens in this class. */
    private record CounterStat(LongAdder counter) implements MeasurableStat {
        @Override
        public void record(MetricConfig config, double value, long timeMs) {
            // never recorded through the sensor: the LongAdder is the single count
        }

        @Override
        public double measure(MetricConfig config, long now) {
            return counter.sum();
        }
    }

    /** Finds the instance a handler was configured with, or a fresh one when none was passed. */
    static IngestMetrics from(Map<String, ?> configs) {
        Object value = configs.get(CONFIG_KEY);
        return value instanceof IngestMetrics metrics ? metrics : new IngestMetrics();
    }
}
