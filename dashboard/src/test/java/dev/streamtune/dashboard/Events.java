package dev.streamtune.dashboard;

import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.Delta;
import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.schemas.MetricNames;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builders for the records the evaluator and trainer publish, shared by unit and integration tests. */
final class Events {
    static final List<String> LABELS = List.of("ham", "spam");

    private Events() {}

    static MetricsEvent evaluation(String task, long version, Split split, double macroF1, double accuracy,
                                   double logLoss, List<List<Long>> confusion, Instant at) {
        return MetricsEvent.newBuilder().setTask(task).setKind(MetricKind.EVALUATION).setSource("evaluator")
                .setVersion(version).setSplit(split)
                .setValues(Map.of(MetricNames.MACRO_F1, macroF1, MetricNames.ACCURACY, accuracy,
                        MetricNames.LOG_LOSS, logLoss, MetricNames.EXAMPLES, 200.0))
                .setLabels(LABELS).setConfusion(confusion).setTimestamp(at).build();
    }

    static MetricsEvent training(String task, Long version, double loss, double examplesPerS, Instant at) {
        return MetricsEvent.newBuilder().setTask(task).setKind(MetricKind.TRAINING).setSource("trainer")
                .setVersion(version)
                .setValues(Map.of(MetricNames.LOSS, loss, MetricNames.EXAMPLES_PER_S, examplesPerS))
                .setTimestamp(at).build();
    }

    static MetricsEvent prequential(String task, double accuracy, double window, long examples, Instant at) {
        return MetricsEvent.newBuilder().setTask(task).setKind(MetricKind.PREQUENTIAL).setSource("trainer")
                .setValues(Map.of(MetricNames.PREQUENTIAL_ACCURACY, accuracy, MetricNames.WINDOW_ACCURACY, window,
                        MetricNames.EXAMPLES, (double) examples))
                .setTimestamp(at).build();
    }

    static MetricsEvent ingest(String task, long accepted, Instant at) {
        return MetricsEvent.newBuilder().setTask(task).setKind(MetricKind.INGEST).setSource("ingest")
                .setValues(Map.of(MetricNames.ACCEPTED, (double) accepted))
                .setTimestamp(at).build();
    }

    /** A trainer's TRAINING event as it publishes it with a candidate: loss, speed and examples seen. */
    static MetricsEvent trainingSeen(String task, long version, long examplesSeen, Instant at) {
        return MetricsEvent.newBuilder().setTask(task).setKind(MetricKind.TRAINING).setSource("trainer").setVersion(version)
                .setValues(Map.of(MetricNames.LOSS, 0.3, MetricNames.EXAMPLES_PER_S, 50.0,
                        MetricNames.EXAMPLES_SEEN, (double) examplesSeen)).setTimestamp(at).build();
    }

    /** What the trainer supervisor (TaskTrainers) reports on the metrics topic. */
    static MetricsEvent trainerStatus(String task, boolean running, boolean failed, Instant at) {
        return MetricsEvent.newBuilder().setTask(task).setKind(MetricKind.OTHER).setSource(MetricNames.TRAINERS_SOURCE)
                .setValues(Map.of(MetricNames.TRAINER_RUNNING, running ? 1.0 : 0.0, MetricNames.TRAINER_FAILED,
                        failed ? 1.0 : 0.0, MetricNames.TRAINER_HEARTBEAT_S, 30.0)).setTimestamp(at).build();
    }

    static ModelUpdate update(String task, UpdateAction action, long version, Long previous, String reason,
                              double validationF1, double testF1, Instant at) {
        return ModelUpdate.newBuilder().setTask(task).setAction(action).setVersion(version)
                .setPreviousVersion(previous).setReason(reason).setModel(model(task, version, at))
                .setValidationMetrics(Map.of(MetricNames.MACRO_F1, validationF1))
                .setTestMetrics(Map.of(MetricNames.MACRO_F1, testF1, MetricNames.ACCURACY, testF1 + 0.01))
                .setTimestamp(at).build();
    }

    static ModelVersion model(String task, long version, Instant at) {
        return ModelVersion.newBuilder().setTask(task).setVersion(version).setTechnique("head")
                .setBase(new BaseModel("all-MiniLM-L6-v2", "ab".repeat(32))).setLabels(LABELS)
                .setDelta(Delta.newBuilder().setSha256("cd".repeat(32)).setSizeBytes(0).build())
                .setCreatedAt(at).build();
    }

    static List<List<Long>> matrix(long tn, long fp, long fn, long tp) {
        return List.of(List.of(tn, fp), List.of(fn, tp));
    }
}
