package dev.streamtune.dashboard;

import static dev.streamtune.dashboard.Events.evaluation;
import static dev.streamtune.dashboard.Events.matrix;
import static dev.streamtune.dashboard.Events.prequential;
import static dev.streamtune.dashboard.Events.training;
import static dev.streamtune.dashboard.Events.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.dashboard.DashboardSnapshot.GroupLag;
import dev.streamtune.dashboard.DashboardSnapshot.LagReport;
import dev.streamtune.dashboard.DashboardSnapshot.TaskView;
import dev.streamtune.dashboard.DashboardSnapshot.VersionView;
import dev.streamtune.schemas.MetricNames;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DashboardStateTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private final DashboardState state = new DashboardState(5);

    private TaskView spam() {
        return state.snapshot().tasks().get("spam");
    }

    @Test
    void validationEvaluationsGiveMacroF1AndLossPerVersionAndTrainingAddsItsLossAndSpeed() {
        state.fold(evaluation("spam", 2, Split.VALIDATION, 0.91, 0.93, 0.21, matrix(1, 0, 0, 1), T0));
        state.fold(evaluation("spam", 1, Split.VALIDATION, 0.80, 0.85, 0.40, matrix(1, 0, 0, 1), T0));
        state.fold(training("spam", 1L, 0.55, 700, T0.plusSeconds(1)));
        state.fold(evaluation("spam", 1, Split.TEST, 0.78, 0.84, 0.42, matrix(1, 0, 0, 1), T0));

        List<VersionView> versions = spam().versions();
        assertThat(versions).extracting(VersionView::version).containsExactly(1L, 2L);
        VersionView v1 = versions.get(0);
        assertThat(v1.validation()).containsEntry(MetricNames.MACRO_F1, 0.80).containsEntry(MetricNames.LOG_LOSS, 0.40);
        assertThat(v1.test()).containsEntry(MetricNames.MACRO_F1, 0.78);
        assertThat(v1.trainingLoss()).isEqualTo(0.55);
        assertThat(v1.examplesPerS()).isEqualTo(700.0);
        assertThat(versions.get(1).validation()).containsEntry(MetricNames.MACRO_F1, 0.91);
        assertThat(versions.get(1).trainingLoss()).isNull();
        assertThat(spam().latestEvaluated().version()).isEqualTo(2L);
    }

    @Test
    void aReplayedEvaluationReplacesTheEarlierOneForTheSameVersionAndSplit() {
        state.fold(evaluation("spam", 1, Split.VALIDATION, 0.50, 0.6, 0.9, matrix(1, 0, 0, 1), T0));
        state.fold(evaluation("spam", 1, Split.VALIDATION, 0.70, 0.8, 0.5, matrix(1, 0, 0, 1), T0.plusSeconds(5)));

        assertThat(spam().versions()).hasSize(1);
        assertThat(spam().versions().get(0).validation()).containsEntry(MetricNames.MACRO_F1, 0.70);
        assertThat(spam().versions().get(0).evaluatedAt()).isEqualTo(T0.plusSeconds(5).toEpochMilli());
    }

    @Test
    void eventsTheDashboardCannotPlaceAreCountedAsIgnoredNotFolded() {
        MetricsEvent noVersion = MetricsEvent.newBuilder(evaluation("spam", 1, Split.VALIDATION, 0.5, 0.5, 0.5,
                List.of(), T0)).setVersion(null).build();
        MetricsEvent trainSplit = evaluation("spam", 1, Split.TRAIN, 0.5, 0.5, 0.5, List.of(), T0);
        MetricsEvent lag = MetricsEvent.newBuilder().setTask("spam").setKind(MetricKind.LAG).setSource("x")
                .setTimestamp(T0).build();

        assertThat(state.fold(noVersion)).isFalse();
        assertThat(state.fold(trainSplit)).isFalse();
        assertThat(state.fold(lag)).isFalse();
        assertThat(spam().versions()).isEmpty();
        assertThat(state.snapshot().consumer().ignored()).isEqualTo(3);
    }

    @Test
    void trainingWithoutAVersionStillAddsAThroughputPoint() {
        state.fold(training("spam", null, 0.6, 420, T0));
        state.fold(training("spam", 3L, 0.4, 480, T0.plusSeconds(2)));

        assertThat(spam().throughput()).extracting(p -> p.examplesPerS()).containsExactly(420.0, 480.0);
        assertThat(spam().throughput().get(0).version()).isNull();
        assertThat(spam().versions()).extracting(VersionView::version).containsExactly(3L);
    }

    @Test
    void timeSeriesKeepOnlyTheNewestPointsUpToTheLimit() {
        for (int i = 0; i < 8; i++) {
            state.fold(prequential("spam", 0.5 + i / 100.0, 0.6, 100L * (i + 1), T0.plusSeconds(i)));
        }

        assertThat(spam().prequential()).hasSize(5);
        assertThat(spam().prequential().get(0).accuracy()).isEqualTo(0.53);
        assertThat(spam().prequential().get(4).examples()).isEqualTo(800.0);
        assertThat(spam().prequential().get(4).timestamp()).isEqualTo(T0.plusSeconds(7).toEpochMilli());
    }

    @Test
    void nonFiniteValuesAreDroppedSoTheJsonStaysValid() throws Exception {
        MetricsEvent event = MetricsEvent.newBuilder().setTask("spam").setKind(MetricKind.EVALUATION)
                .setSource("evaluator").setVersion(1L).setSplit(Split.VALIDATION)
                .setValues(Map.of(MetricNames.MACRO_F1, 0.8, MetricNames.LOG_LOSS, Double.NaN,
                        MetricNames.ECE, Double.POSITIVE_INFINITY))
                .setTimestamp(T0).build();
        state.fold(event);

        assertThat(spam().versions().get(0).validation()).containsOnlyKeys(MetricNames.MACRO_F1);
        String json = new ObjectMapper().writeValueAsString(state.snapshot());
        assertThat(json).doesNotContain("NaN").doesNotContain("Infinity");
        JsonNode parsed = new ObjectMapper().readTree(json);
        assertThat(parsed.at("/tasks/spam/versions/0/validation/macro_f1").asDouble()).isEqualTo(0.8);
    }

    @Test
    void promotionsAndRollbacksFormTheHistoryAndMoveTheChampion() {
        state.fold(update("spam", UpdateAction.PROMOTE, 1, null, "first version", 0.80, 0.78, T0));
        state.fold(update("spam", UpdateAction.PROMOTE, 3, 1L, "beats champion by 0.05", 0.85, 0.83, T0.plusSeconds(60)));
        assertThat(spam().championVersion()).isEqualTo(3L);

        state.fold(update("spam", UpdateAction.ROLLBACK, 1, 3L, "operator rollback", 0.80, 0.78, T0.plusSeconds(90)));

        TaskView task = spam();
        assertThat(task.championVersion()).isEqualTo(1L);
        assertThat(task.promotions()).isEqualTo(2);
        assertThat(task.rollbacks()).isEqualTo(1);
        assertThat(task.history()).extracting(c -> c.action() + " v" + c.version() + " from " + c.previousVersion())
                .containsExactly("PROMOTE v1 from null", "PROMOTE v3 from 1", "ROLLBACK v1 from 3");
        assertThat(task.history().get(1).reason()).isEqualTo("beats champion by 0.05");
        assertThat(task.history().get(1).technique()).isEqualTo("head");
        assertThat(task.history().get(1).test()).containsEntry(MetricNames.MACRO_F1, 0.83);
        assertThat(task.history().get(2).timestamp()).isEqualTo(T0.plusSeconds(90).toEpochMilli());
        assertThat(task.champion().technique()).isEqualTo("head");
    }

    @Test
    void anUpdateWithAnActionThisBuildDoesNotKnowIsKeptButDoesNotMoveTheChampion() {
        state.fold(update("spam", UpdateAction.PROMOTE, 1, null, "", 0.8, 0.8, T0));
        state.fold(update("spam", UpdateAction.UNKNOWN, 2, 1L, "from a newer evaluator", 0.9, 0.9, T0));

        assertThat(spam().championVersion()).isEqualTo(1L);
        assertThat(spam().history()).hasSize(2);
    }

    @Test
    void theChampionsConfusionMatrixComesFromTestAndFallsBackToValidation() {
        state.fold(evaluation("spam", 1, Split.VALIDATION, 0.8, 0.8, 0.4, matrix(50, 5, 7, 38), T0));
        state.fold(evaluation("spam", 2, Split.VALIDATION, 0.9, 0.9, 0.3, matrix(52, 3, 4, 41), T0));
        assertThat(spam().confusion()).as("no champion yet").isNull();

        state.fold(update("spam", UpdateAction.PROMOTE, 1, null, "", 0.8, 0.8, T0));
        assertThat(spam().confusion().split()).isEqualTo("VALIDATION");
        assertThat(spam().confusion().matrix()).isEqualTo(matrix(50, 5, 7, 38));

        state.fold(evaluation("spam", 1, Split.TEST, 0.79, 0.8, 0.4, matrix(40, 6, 9, 45), T0));
        assertThat(spam().confusion().split()).isEqualTo("TEST");
        assertThat(spam().confusion().matrix()).isEqualTo(matrix(40, 6, 9, 45));
        assertThat(spam().confusion().labels()).containsExactly("ham", "spam");

        state.fold(update("spam", UpdateAction.PROMOTE, 2, 1L, "", 0.9, 0.9, T0));
        assertThat(spam().confusion().version()).isEqualTo(2L);
        assertThat(spam().confusion().split()).isEqualTo("VALIDATION");
    }

    @Test
    void aMatrixThatDoesNotMatchItsLabelsIsNotShown() {
        state.fold(evaluation("spam", 1, Split.TEST, 0.8, 0.8, 0.4, List.of(List.of(1L, 2L, 3L)), T0));
        state.fold(update("spam", UpdateAction.PROMOTE, 1, null, "", 0.8, 0.8, T0));

        assertThat(spam().confusion()).isNull();
    }

    @Test
    void deadLettersAreCountedByReasonAndAMissingReasonIsUnknown() {
        state.foldDeadLetter("TEXT_TOO_LONG");
        state.foldDeadLetter("BAD_MAGIC_BYTE");
        state.foldDeadLetter("TEXT_TOO_LONG");
        state.foldDeadLetter(null);

        assertThat(state.snapshot().deadLetters()).containsExactly(
                Map.entry("BAD_MAGIC_BYTE", 1L), Map.entry("TEXT_TOO_LONG", 2L), Map.entry("UNKNOWN", 1L));
        assertThat(state.snapshot().deadLettersTotal()).isEqualTo(4);
    }

    @Test
    void tasksAreKeptApart() {
        state.fold(training("spam", 1L, 0.5, 100, T0));
        state.fold(training("sentiment", 1L, 0.9, 50, T0));
        state.fold(Events.ingest("spam", 1234, T0));

        assertThat(state.snapshot().tasks()).containsOnlyKeys("sentiment", "spam");
        assertThat(state.snapshot().tasks().get("sentiment").versions().get(0).trainingLoss()).isEqualTo(0.9);
        assertThat(spam().ingest()).containsEntry(MetricNames.ACCEPTED, 1234.0);
        assertThat(state.snapshot().tasks().get("sentiment").ingest()).isEmpty();
    }

    @Test
    void anUnchangedLagPollDoesNotCountAsAChange() {
        GroupLag trainer = new GroupLag("trainer", 6, 3, new TreeMap<>(Map.of("examples.train", 6L)));
        state.updateLag(new LagReport(List.of(trainer), 1_000, null));
        long afterFirst = state.revision();

        state.updateLag(new LagReport(List.of(trainer), 2_000, null));
        assertThat(state.revision()).isEqualTo(afterFirst);
        assertThat(state.snapshot().lag().groups()).containsExactly(trainer);

        state.updateLag(new LagReport(List.of(new GroupLag("trainer", 2, 3, new TreeMap<>(Map.of("examples.train", 2L)))),
                3_000, null));
        assertThat(state.revision()).isGreaterThan(afterFirst);
        assertThat(state.snapshot().lag().groups().get(0).lag()).isEqualTo(2);
    }

    @Test
    void theSnapshotIsCachedUntilSomethingChanges() {
        state.foldDeadLetter("X");
        DashboardSnapshot first = state.snapshot();
        assertThat(state.snapshot()).isSameAs(first);
        state.foldDeadLetter("X");
        assertThat(state.snapshot()).isNotSameAs(first);
        assertThat(state.snapshot().revision()).isGreaterThan(first.revision());
    }

    @Test
    void awaitChangeWakesOnAChangeAndOtherwiseTimesOut() throws Exception {
        long seen = state.revision();
        long started = System.nanoTime();
        assertThat(state.awaitChange(seen, Duration.ofMillis(150))).isEqualTo(seen);
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(140));

        CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return state.awaitChange(seen, Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        state.foldDeadLetter("X");
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isGreaterThan(seen);
    }

    @Test
    void aSeriesLimitBelowOneIsRefused() {
        assertThatThrownBy(() -> new DashboardState(0)).hasMessageContaining("seriesLimit").hasMessageContaining("0");
    }

    @Test
    void theTrainerSupervisorsReportsSayWhichTasksAreTrainedAndATaskWithExamplesButNoTrainerShows() {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(T0.toEpochMilli());
        DashboardState clocked = new DashboardState(5, new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }
        });
        clocked.fold(Events.ingest("spam", 40, T0));
        clocked.fold(Events.ingest("sentiment", 12, T0));
        clocked.fold(Events.ingest("fresh", 0, T0));
        clocked.fold(training("trained-before", 1L, 0.5, 100, T0)); // no ingest report: the trainer's count says it
        assertThat(clocked.snapshot().tasks().get("trained-before").examplesTrained()).isZero();
        assertThat(clocked.snapshot().tasks().get("spam").trainer()).isEqualTo(DashboardSnapshot.TrainerView.NONE);
        assertThat(clocked.snapshot().untrainedTasksWithExamples()).containsExactly("sentiment", "spam");
        clocked.fold(Events.trainingSeen("trained-before", 2L, 64, T0));
        assertThat(clocked.snapshot().tasks().get("trained-before").examples()).isEqualTo(64);
        assertThat(clocked.snapshot().untrainedTasksWithExamples()).containsExactly("sentiment", "spam", "trained-before");
        clocked.fold(Events.trainerStatus("trained-before", true, false, T0));

        assertThat(clocked.fold(Events.trainerStatus("spam", true, false, T0))).isTrue();
        clocked.fold(Events.trainerStatus("sentiment", true, false, T0));
        assertThat(clocked.snapshot().trainedTasks()).containsExactly("sentiment", "spam", "trained-before");
        assertThat(clocked.snapshot().untrainedTasksWithExamples()).isEmpty();

        clocked.fold(Events.trainerStatus("sentiment", false, true, T0.plusSeconds(5)));
        clocked.fold(Events.trainerStatus("sentiment", true, false, T0.plusSeconds(1))); // older: ignored
        assertThat(clocked.snapshot().tasks().get("sentiment").trainer().state())
                .isEqualTo(DashboardSnapshot.TrainerState.FAILED);
        assertThat(clocked.snapshot().untrainedTasksWithExamples()).containsExactly("sentiment");

        // three heartbeats (30 s each) without a word: the supervisor that said "training" is gone
        now.set(T0.plusSeconds(91).toEpochMilli());
        clocked.fold(Events.ingest("spam", 41, T0.plusSeconds(91)));
        assertThat(clocked.snapshot().tasks().get("spam").trainer().state()).isEqualTo(DashboardSnapshot.TrainerState.SILENT);
        assertThat(clocked.snapshot().trainedTasks()).isEmpty();
    }
}
