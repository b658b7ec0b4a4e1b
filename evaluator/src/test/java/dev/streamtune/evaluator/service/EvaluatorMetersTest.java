package dev.streamtune.evaluator.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.OffsetRange;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.model.delta.Delta;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class EvaluatorMetersTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private final EvaluatorMeters meters = new EvaluatorMeters(() -> Map.of("CANDIDATE_UNSIGNED", 3L), List.of());
    private final SimpleMeterRegistry scraped = new SimpleMeterRegistry();

    EvaluatorMetersTest() {
        meters.meters().bindTo(scraped);
    }

    @Test
    void gateDecisionsAreCountedByOutcomeFromWhatARoundCommitted() {
        meters.committed(List.of(validation("spam", 1), promote("spam", 1, "promote: p=0.01", List.of()),
                validation("spam", 2), validation("spam", 3), promote("spam", 3, "refresh: not significantly better", List.of()),
                new Output.Metrics(event("spam", 3, MetricKind.EVALUATION, Split.TEST))));

        assertThat(decisions("promote")).isEqualTo(1);
        assertThat(decisions("keep")).isEqualTo(1);
        assertThat(decisions("refresh")).isEqualTo(1);
        assertThat(scraped.get("streamtune.evaluator.updates").tag("action", "PROMOTE").counter().count()).isEqualTo(2);
        assertThat(scraped.get("streamtune.evaluator.candidates.refused").tag("reason", "UNSIGNED").functionCounter().count())
                .isEqualTo(3);
        assertThat(scraped.get("streamtune.evaluator.candidates.refused").tag("reason", "BAD_SIGNATURE").functionCounter()
                .count()).isZero();
    }

    @Test
    void freshnessIsTheAgeOfTheOldestExampleAPromotionNewlyServes() {
        for (long offset = 10; offset < 20; offset++) {
            meters.seen(record("features.minilm", 0, offset, T0.plusSeconds(offset).toEpochMilli()));
        }
        meters.seen(record("features.minilm", 1, 5, T0.plusSeconds(2).toEpochMilli()));
        // learned [12, 20) of partition 0 and [5, 6) of partition 1; promoted at T0 + 32 s: the oldest is 30 s old
        meters.committed(List.of(validation("spam", 1), promote("spam", 1, "promote: p=0.01",
                List.of(new OffsetRange("features.minilm", 0, 12L, 20L), new OffsetRange("features.minilm", 1, 5L, 6L)))));

        var timer = scraped.get("streamtune.freshness").tag("task", "spam").timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.max(TimeUnit.SECONDS)).isEqualTo(30.0);
    }

    @Test
    void aRangeOlderThanWhatIsRememberedIsNotMeasured() {
        meters.committed(List.of(promote("spam", 1, "promote: p=0.01",
                List.of(new OffsetRange("features.minilm", 0, 0L, 5L)))));
        assertThat(scraped.find("streamtune.freshness").timer()).isNull();
    }

    private double decisions(String outcome) {
        return scraped.get("streamtune.evaluator.gate.decisions").tag("task", "spam").tag("outcome", outcome).counter().count();
    }

    private static Output validation(String task, long version) {
        return new Output.Metrics(event(task, version, MetricKind.EVALUATION, Split.VALIDATION));
    }

    private static MetricsEvent event(String task, long version, MetricKind kind, Split split) {
        return MetricsEvent.newBuilder().setTask(task).setKind(kind).setSource("evaluator").setVersion(version)
                .setSplit(split).setValues(Map.of()).setLabels(List.of()).setPerClass(List.of()).setConfusion(List.of())
                .setTimestamp(T0).build();
    }

    private static Output promote(String task, long version, String reason, List<OffsetRange> ranges) {
        ModelVersion model = ModelVersion.newBuilder(Synthetic.version(task, version, "minilm", "sha",
                Delta.of("djl-ndlist-v1", new byte[] {1, 2, 3}))).setOffsetRanges(ranges).build();
        return new Output.Update(ModelUpdate.newBuilder().setTask(task).setAction(UpdateAction.PROMOTE).setVersion(version)
                .setReason(reason).setModel(model).setTimestamp(T0.plusSeconds(32)).build());
    }

    private static ConsumerRecord<String, byte[]> record(String topic, int partition, long offset, long timestamp) {
        return new ConsumerRecord<>(topic, partition, offset, timestamp, TimestampType.CREATE_TIME, 0, 0, "k", new byte[0],
                new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty());
    }
}
