package dev.streamtune.evaluator.service;

import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.OffsetRange;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.schemas.metrics.ServiceMeters;
import dev.streamtune.schemas.signing.SignatureRefusedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The evaluator's meters: gate decisions by outcome, model updates by action, candidates refused by
 * signature reason, freshness, and Micrometer's metrics of its Kafka clients. Decisions are counted
 * from what a poll round committed ({@link #committed}), so an aborted round counts nothing.
 *
 * <p>Freshness is the age of the oldest example a promotion newly serves: the time from the record
 * timestamp of the first record of each offset range the champion learned since its parent (its
 * {@code offsetRanges}) to the promotion. The evaluator reads the same topics the trainers read, so
 * it remembers the timestamps of the last {@value #REMEMBERED_PER_PARTITION} records per partition (in a fixed
 * ring, {@link RecentTimestamps});
 * a range that starts before them is not measured.
 */
final class EvaluatorMeters {
    static final int REMEMBERED_PER_PARTITION = 20_000;

    private final ServiceMeters meters = new ServiceMeters();
    private final Map<TopicPartition, RecentTimestamps> timestamps = new HashMap<>();
    private final Supplier<Map<String, Long>> refusedCandidates;

    EvaluatorMeters(Supplier<Map<String, Long>> refusedCandidates, List<Object> kafkaClients) {
        this.refusedCandidates = refusedCandidates;
        for (SignatureRefusedException.Reason reason : SignatureRefusedException.Reason.values()) {
            // read through this object, which the service holds: a function counter keeps its object weakly, and a
            // method reference alone would be collected, its series gone from /metrics
            FunctionCounter.builder("streamtune.evaluator.candidates.refused", this,
                            m -> m.refusedCandidates.get().getOrDefault("CANDIDATE_" + reason.name(), 0L))
                    .tag("reason", reason.name())
                    .description("Candidates refused for their signature (sent to the dead-letter topic), by reason")
                    .register(meters.registry());
        }
        kafkaClients.forEach(meters::addKafkaClient);
    }

    ServiceMeters meters() {
        return meters;
    }

    /** Remembers when a record of a topic the trainers learn from was written (evaluator thread only). */
    void seen(ConsumerRecord<?, ?> record) {
        timestamps.computeIfAbsent(new TopicPartition(record.topic(), record.partition()),
                tp -> new RecentTimestamps(REMEMBERED_PER_PARTITION)).add(record.offset(), record.timestamp());
    }

    /** Counts what one committed poll round published. */
    void committed(List<Output> outputs) {
        Set<String> promoted = new HashSet<>();
        Map<String, Boolean> refreshes = new HashMap<>();
        for (Output output : outputs) {
            if (output instanceof Output.Update u) {
                ModelUpdate update = u.update();
                Counter.builder("streamtune.evaluator.updates").tag("task", update.getTask())
                        .tag("action", update.getAction().name())
                        .description("Updates published on models.updates, by action").register(meters.registry())
                        .increment();
                if (update.getAction() == UpdateAction.PROMOTE) {
                    String key = update.getTask() + "@" + update.getVersion();
                    promoted.add(key);
                    refreshes.put(key, update.getReason() != null && update.getReason().startsWith("refresh: "));
                    freshness(update);
                }
            }
        }
        for (Output output : outputs) {
            if (output instanceof Output.Metrics m && isCandidateValidation(m.event())) {
                String key = m.event().getTask() + "@" + m.event().getVersion();
                String outcome = !promoted.contains(key) ? "keep" : refreshes.get(key) ? "refresh" : "promote";
                Counter.builder("streamtune.evaluator.gate.decisions").tag("task", m.event().getTask())
                        .tag("outcome", outcome)
                        .description("Candidates the promotion gate judged, by outcome (promote, refresh, keep)")
                        .register(meters.registry()).increment();
            }
        }
    }

    private static boolean isCandidateValidation(MetricsEvent event) {
        return event.getKind() == MetricKind.EVALUATION && event.getSplit() == Split.VALIDATION
                && event.getVersion() != null;
    }

    private void freshness(ModelUpdate update) {
        if (update.getModel() == null || update.getTimestamp() == null) {
            return;
        }
        long oldest = Long.MAX_VALUE;
        for (OffsetRange range : update.getModel().getOffsetRanges()) {
            RecentTimestamps partition = timestamps.get(new TopicPartition(range.getTopic(), range.getPartition()));
            if (partition != null) {
                long first = partition.firstIn(range.getFromOffset(), range.getUntilOffset()).orElse(Long.MAX_VALUE);
                oldest = Math.min(oldest, first);
            }
        }
        if (oldest != Long.MAX_VALUE) {
            Timer.builder("streamtune.freshness").tag("task", update.getTask())
                    .description("Produced -> promoted: age of the oldest example a promotion newly serves")
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100))
                    .maximumExpectedValue(Duration.ofHours(1)).register(meters.registry())
                    .record(Duration.ofMillis(Math.max(0, update.getTimestamp().toEpochMilli() - oldest)));
        }
    }
}
