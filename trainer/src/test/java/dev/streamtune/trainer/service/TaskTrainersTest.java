package dev.streamtune.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.TaskSpec;
import dev.streamtune.trainer.service.TrainerRoster.Action;
import dev.streamtune.trainer.service.TrainerRoster.Decision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The supervisor's start/stop decisions, with fake trainers and a fake status sink: no broker. */
class TaskTrainersTest {

    private static TaskSpec spec(String task, String technique, String... labels) {
        return TaskSpec.newBuilder().setTask(task).setLabels(List.of(labels)).setLabelSetClosed(true)
                .setTechnique(technique).setSettings(Map.of()).setCreatedAt(Instant.now()).build();
    }

    /** A trainer that runs until stopped, or fails when told. */
    static final class FakeTrainer implements TaskTrainers.Trainer {
        final String task;
        volatile boolean running = true;
        volatile boolean stopAsked;
        Throwable failure;

        FakeTrainer(String task) {
            this.task = task;
        }

        @Override
        public void stop() {
            stopAsked = true;
            running = false;
        }

        @Override
        public boolean awaitStopped(Duration timeout) {
            return !running;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public Optional<Throwable> failure() {
            return Optional.ofNullable(failure);
        }

        @Override
        public TrainerCounters counters() {
            return new TrainerCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        void crash(String why) {
            failure = new IllegalStateException(why);
            running = false;
        }
    }

    private final List<FakeTrainer> started = new ArrayList<>();
    private final List<String> reports = new ArrayList<>();
    private final MutableClock clock = new MutableClock();

    private TaskTrainers supervisor(Set<String> only) {
        return new TaskTrainers(only, Duration.ofSeconds(30), task -> {
            FakeTrainer t = new FakeTrainer(task);
            started.add(t);
            return t;
        }, (task, running, failed, heartbeat) -> reports.add(task + (running ? " running" : failed ? " failed" : " stopped")),
                clock);
    }

    @Test
    void startsATrainerForEveryDeclaredTaskIncludingOnesDeclaredLater() throws Exception {
        TaskTrainers s = supervisor(Set.of());
        s.declare("spam", spec("spam", "hybrid", "ham", "spam"));
        assertThat(s.reconcile()).extracting(Decision::action, Decision::task).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Action.START, "spam"));
        assertThat(s.reconcile()).as("nothing new: nothing to do").isEmpty();

        s.declare("sentiment", spec("sentiment", "hybrid", "neg", "pos"));
        assertThat(s.reconcile()).extracting(Decision::task).containsExactly("sentiment");
        assertThat(s.trainedTasks()).containsExactly("sentiment", "spam");
        assertThat(started).extracting(t -> t.task).containsExactly("spam", "sentiment");
        assertThat(reports).containsExactly("spam running", "sentiment running");
    }

    @Test
    void aTombstoneStopsTheTaskTrainerAndOnlyThatOne() throws Exception {
        TaskTrainers s = supervisor(Set.of());
        s.declare("spam", spec("spam", "hybrid", "ham", "spam"));
        s.declare("sentiment", spec("sentiment", "hybrid", "neg", "pos"));
        s.reconcile();
        s.remove("sentiment");
        assertThat(s.reconcile()).extracting(Decision::action, Decision::task).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Action.STOP, "sentiment"));
        assertThat(started).extracting(t -> t.task).containsExactly("sentiment", "spam");
        assertThat(started.get(0).stopAsked).isTrue();
        assertThat(started.get(1).stopAsked).isFalse();
        assertThat(s.trainedTasks()).containsExactly("spam");
        assertThat(reports).endsWith("sentiment stopped");
    }

    @Test
    void aTaskDeclaredAndRemovedBeforeTheFirstDecisionNeverGetsATrainer() throws Exception {
        TaskTrainers s = supervisor(Set.of());
        s.declare("old", spec("old", "hybrid", "a", "b"));
        s.remove("old");
        assertThat(s.reconcile()).isEmpty();
        assertThat(started).isEmpty();
    }

    @Test
    void aRedeclarationWithAnotherTechniqueRestartsButTheSameSpecDeclaredAgainDoesNot() throws Exception {
        TaskTrainers s = supervisor(Set.of());
        s.declare("spam", spec("spam", "hybrid", "ham", "spam"));
        s.reconcile();
        s.declare("spam", spec("spam", "hybrid", "ham", "spam")); // produce --corpus declares again, later createdAt
        assertThat(s.reconcile()).isEmpty();
        s.declare("spam", spec("spam", "prompt", "ham", "spam"));
        assertThat(s.reconcile()).extracting(Decision::action).containsExactly(Action.RESTART);
        assertThat(started).hasSize(2);
        assertThat(started.get(0).stopAsked).as("the old trainer checkpoints and stops first").isTrue();
        assertThat(started.get(1).running).isTrue();
    }

    @Test
    void aSupervisorLimitedToSomeTasksLeavesTheOthersUntrained() throws Exception {
        TaskTrainers s = supervisor(Set.of("spam"));
        s.declare("spam", spec("spam", "hybrid", "ham", "spam"));
        s.declare("fortune", spec("fortune", "hybrid", "a", "b"));
        s.reconcile();
        assertThat(s.trainedTasks()).containsExactly("spam");
        assertThat(s.declaredTasks()).containsExactly("fortune", "spam");
    }

    @Test
    void aFailedTrainerIsReportedOnceAndNotRestartedUntilRedeclared() throws Exception {
        TaskTrainers s = supervisor(Set.of());
        s.declare("spam", spec("spam", "hybrid", "ham", "spam"));
        s.reconcile();
        started.get(0).crash("disk full");
        assertThat(s.reconcile()).isEmpty();
        assertThat(s.reconcile()).isEmpty();
        assertThat(reports).containsExactly("spam running", "spam failed");
        assertThat(s.failures()).containsEntry("spam", "java.lang.IllegalStateException: disk full");
        assertThat(s.trainedTasks()).isEmpty();

        s.declare("spam", spec("spam", "hybrid", "ham", "spam", "phish"));
        assertThat(s.reconcile()).extracting(Decision::action).containsExactly(Action.RESTART);
        assertThat(s.trainedTasks()).containsExactly("spam");
    }

    @Test
    void runningTrainersAreRepeatedEveryHeartbeat() throws Exception {
        TaskTrainers s = supervisor(Set.of());
        s.declare("spam", spec("spam", "hybrid", "ham", "spam"));
        s.reconcile();
        s.beat();
        assertThat(reports).containsExactly("spam running");
        clock.advance(Duration.ofSeconds(31));
        s.beat();
        assertThat(reports).containsExactly("spam running", "spam running");
    }

    @Test
    void closeStopsEveryTrainer() throws Exception {
        TaskTrainers s = supervisor(Set.of());
        s.declare("a", spec("a", "hybrid", "x", "y"));
        s.declare("b", spec("b", "hybrid", "x", "y"));
        s.reconcile();
        s.close();
        assertThat(started).allSatisfy(t -> assertThat(t.stopAsked).isTrue());
        assertThat(reports).endsWith("a stopped", "b stopped");
    }

    @Test
    void theRosterStopsBeforeItStartsAndNamesWhy() {
        List<Decision> decisions = TrainerRoster.decide(Map.of("new", "f1"),
                Map.of("gone", new TrainerRoster.Running("f0", true)), Set.of());
        assertThat(decisions).extracting(Decision::action).containsExactly(Action.STOP, Action.START);
        assertThat(decisions.get(0).why()).contains("'gone'", "removed");
    }

    @Test
    void aBlankTaskInTheFilterIsRefusedNamingTheField() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TaskTrainers.Config("localhost:9092",
                dev.streamtune.schemas.serde.AvroSerdeConfig.of("http://localhost:8081"),
                dev.streamtune.schemas.Topics.defaults(), Set.of(" "), Duration.ofSeconds(30),
                dev.streamtune.schemas.KafkaClientProperties.none()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TaskTrainers.Config("localhost:9092",
                dev.streamtune.schemas.serde.AvroSerdeConfig.of("http://localhost:8081"),
                dev.streamtune.schemas.Topics.defaults(), Set.of(), Duration.ofMillis(10),
                dev.streamtune.schemas.KafkaClientProperties.none()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeat").hasMessageContaining("PT1S");
    }

    static final class MutableClock extends Clock {
        private long millis = 1_000_000;

        void advance(Duration d) {
            millis += d.toMillis();
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }
}
