package dev.streamtune.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.model.delta.NamedTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

@Tag("model")
class HeadTrainerTest {
    private static final OptimizerConfig FAST = new OptimizerConfig(0.01f, 0.9f, 0.999f, 1e-8f, 0.01f, 5, 1_000,
            DecaySchedule.COSINE, 0.1f);

    private static TrainerConfig config(int dim, HeadConfig head) {
        return new TrainerConfig("head", dim, head, FAST, 0f, 100, true, 7L, "cpu");
    }

    @Test
    void linearHeadLossFallsAndSeparableDataIsLearned() {
        SyntheticData data = new SyntheticData(16, 3f, 1);
        try (HeadTrainer trainer = HeadTrainer.create(config(16, HeadConfig.linear()), List.of("a", "b", "c"))) {
            List<Float> losses = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                losses.add(trainer.step(data.batch(32, 0, 1, 2)).loss());
            }
            double firstLosses = losses.subList(0, 5).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
            double lastLosses = losses.subList(75, 80).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
            assertThat(lastLosses).isLessThan(firstLosses * 0.3);
            assertThat(SyntheticData.accuracy(trainer, data.batch(600, 0, 1, 2))).isGreaterThan(0.95);
            assertThat(trainer.step()).isEqualTo(80);
            assertThat(trainer.examplesSeen()).isEqualTo(80 * 32);
        }
    }

    @Test
    void mlpHeadWithDropoutLearnsToo() {
        SyntheticData data = new SyntheticData(16, 3f, 2);
        try (HeadTrainer trainer = HeadTrainer.create(config(16, HeadConfig.mlp(32, 0.2f)), List.of("a", "b"))) {
            for (int i = 0; i < 80; i++) {
                trainer.step(data.batch(32, 0, 1));
            }
            assertThat(SyntheticData.accuracy(trainer, data.batch(600, 0, 1))).isGreaterThan(0.95);
            assertThat(trainer.trainableParameterCount()).isEqualTo(16 * 32 + 32 + 32 * 2 + 2);
        }
    }

    @Test
    void rehearsalOnTheReplayBufferLearnsMoreFromASinglePass() {
        // a hard single pass: 12 micro-batches of noisy, barely separable clusters, each example seen once
        TrainerConfig withReplay = new TrainerConfig("head", 32, HeadConfig.linear(), FAST, 0.25f, 500, false, 7L, "cpu");
        double plain;
        double rehearsed;
        try (HeadTrainer trainer = HeadTrainer.create(withReplay, List.of("a", "b", "c"))) {
            assertThat(trainer.rehearse(16)).as("nothing to rehearse before any example").isEmpty();
            SyntheticData data = new SyntheticData(32, 0.9f, 11);
            for (int i = 0; i < 12; i++) {
                trainer.step(data.batch(32, 0, 1, 2));
            }
            plain = SyntheticData.accuracy(trainer, new SyntheticData(32, 0.9f, 99).batch(3000, 0, 1, 2));
        }
        try (HeadTrainer trainer = HeadTrainer.create(withReplay, List.of("a", "b", "c"))) {
            SyntheticData data = new SyntheticData(32, 0.9f, 11);
            for (int i = 0; i < 12; i++) {
                trainer.step(data.batch(32, 0, 1, 2));
                for (int r = 0; r < 4; r++) {
                    assertThat(trainer.rehearse(32)).get().satisfies(result -> assertThat(result.newExamples()).isZero());
                }
            }
            assertThat(trainer.step()).isEqualTo(12 * 5);
            assertThat(trainer.examplesSeen()).as("rehearsal is not new data").isEqualTo(12 * 32);
            rehearsed = SyntheticData.accuracy(trainer, new SyntheticData(32, 0.9f, 99).batch(3000, 0, 1, 2));
        }
        assertThat(rehearsed).as("accuracy with rehearsal (%.3f) vs without (%.3f)", rehearsed, plain)
                .isGreaterThan(plain + 0.02);
    }

    @Test
    void classWeightingRaisesMinorityRecallOnImbalancedData() {
        // classes overlap (means 2 apart, unit noise), minority is 5%: the unweighted optimum
        // shifts the boundary by log(19)/2 toward the minority and misses most of it
        double unweighted = minorityRecall(false);
        double weighted = minorityRecall(true);
        assertThat(weighted).isGreaterThan(unweighted + 0.25);
        assertThat(weighted).isGreaterThan(0.7);
    }

    private static double minorityRecall(boolean classWeighting) {
        SyntheticData train = new SyntheticData(4, 2f, 3);
        SyntheticData test = new SyntheticData(4, 2f, 4);
        TrainerConfig config = config(4, HeadConfig.linear()).withClassWeighting(classWeighting)
                .withOptimizer(FAST.withLearningRate(0.05f).withSchedule(0, 1, DecaySchedule.CONSTANT));
        try (HeadTrainer trainer = HeadTrainer.create(config, List.of("majority", "minority"))) {
            for (int i = 0; i < 250; i++) {
                trainer.step(train.imbalancedBatch(32, 0.05));
            }
            return SyntheticData.accuracy(trainer, test.batch(1_000, 1));
        }
    }

    @Test
    void resumeFromCheckpointEqualsTrainingStraightThrough(@TempDir Path directory) throws Exception {
        // dropout, replay and class weighting all draw on or change state a resume must carry
        TrainerConfig config = new TrainerConfig("head", 12, HeadConfig.mlp(16, 0.3f), FAST, 0.25f, 20, true, 11L, "cpu");
        int firstSteps = 12;
        int moreSteps = 12;
        List<List<TrainingExample>> batches = new ArrayList<>();
        SyntheticData data = new SyntheticData(12, 2f, 5);
        for (int i = 0; i < firstSteps + moreSteps; i++) {
            batches.add(data.imbalancedBatch(16, 0.2));
        }

        List<NamedTensor> straight;
        TrainerState straightState;
        try (HeadTrainer trainer = HeadTrainer.create(config, List.of("x", "y"))) {
            batches.forEach(trainer::step);
            straight = trainer.parameters();
            straightState = trainer.snapshot(Map.of());
        }

        CheckpointStore store = new CheckpointStore(directory, 3);
        try (HeadTrainer trainer = HeadTrainer.create(config, List.of("x", "y"))) {
            batches.subList(0, firstSteps).forEach(trainer::step);
            store.save(trainer.snapshot(Map.of("features.minilm-0", 1234L)));
        }
        CheckpointStore.Restored restored = store.restoreNewest();
        assertThat(restored.skipped()).isEmpty();
        assertThat(restored.state().orElseThrow().nextOffsets()).containsEntry("features.minilm-0", 1234L);
        try (HeadTrainer resumed = HeadTrainer.restore(config, restored.state().orElseThrow())) {
            assertThat(resumed.step()).isEqualTo(firstSteps);
            batches.subList(firstSteps, firstSteps + moreSteps).forEach(resumed::step);
            List<NamedTensor> afterResume = resumed.parameters();
            for (int t = 0; t < straight.size(); t++) {
                float[] expected = straight.get(t).values();
                float[] actual = afterResume.get(t).values();
                for (int i = 0; i < expected.length; i++) {
                    assertThat(Math.abs(actual[i] - expected[i])).as(straight.get(t).name() + "[" + i + "]")
                            .isLessThanOrEqualTo(1e-6f);
                }
            }
            TrainerState resumedState = resumed.snapshot(Map.of());
            assertThat(resumedState.rngState()).isEqualTo(straightState.rngState());
            assertThat(resumedState.replay()).isEqualTo(straightState.replay());
            assertThat(resumedState.optimizer().steps()).isEqualTo(straightState.optimizer().steps());
        }
    }

    @Test
    void newLabelGrowsTheHeadKeepingOldRowsAndOldClassAccuracy() {
        SyntheticData data = new SyntheticData(16, 3f, 6);
        TrainerConfig config = config(16, HeadConfig.linear()).withReplay(0.8f, 200);
        try (HeadTrainer trainer = HeadTrainer.create(config, List.of("a", "b"))) {
            for (int i = 0; i < 60; i++) {
                trainer.step(data.batch(32, 0, 1));
            }
            List<TrainingExample> oldTest = data.batch(600, 0, 1);
            double oldAccuracyBefore = SyntheticData.accuracy(trainer, oldTest);
            assertThat(oldAccuracyBefore).isGreaterThan(0.95);
            List<NamedTensor> before = trainer.parameters();

            assertThat(trainer.addLabel("c")).isEqualTo(2);
            assertThat(trainer.addLabel("a")).isZero();
            List<NamedTensor> grown = trainer.parameters();
            float[] oldWeights = before.get(0).values();
            assertThat(grown.get(0).shape()).containsExactly(3, 16);
            assertThat(java.util.Arrays.copyOf(grown.get(0).values(), oldWeights.length)).isEqualTo(oldWeights);
            assertThat(java.util.Arrays.copyOf(grown.get(1).values(), 2)).isEqualTo(before.get(1).values());

            for (int i = 0; i < 100; i++) {
                trainer.step(data.batch(16, 2)); // only the new class arrives; replay keeps a and b alive
            }
            assertThat(SyntheticData.accuracy(trainer, oldTest)).isGreaterThan(oldAccuracyBefore - 0.05);
            assertThat(SyntheticData.accuracy(trainer, data.batch(300, 2))).isGreaterThan(0.9);
            assertThat(trainer.labels()).containsExactly("a", "b", "c");
        }
    }

    @Test
    void rejectsExamplesTheTrainerCannotPlace() {
        try (HeadTrainer trainer = HeadTrainer.create(config(4, HeadConfig.linear()), List.of("a", "b"))) {
            assertThatThrownBy(() -> trainer.step(List.of(TrainingExample.of(new float[4], 2))))
                    .hasMessageContaining("labelIndex 2").hasMessageContaining("2 labels");
            assertThatThrownBy(() -> trainer.step(List.of(TrainingExample.of(new float[3], 0))))
                    .hasMessageContaining("3 features").hasMessageContaining("inputDim is 4");
            assertThatThrownBy(() -> HeadTrainer.create(config(4, HeadConfig.linear()), List.of("a", "a")))
                    .hasMessageContaining("distinct");
            assertThatThrownBy(() -> TrainingExample.of(new float[] {0, Float.NaN}, 0))
                    .hasMessageContaining("features[1] must be finite");
            assertThatThrownBy(() -> new TrainingExample(new float[1], 0, -1f)).hasMessageContaining("weight must be finite and >= 0");
        }
    }

    @Test
    void restoreRefusesACheckpointOfAnotherHead() {
        TrainerState state;
        try (HeadTrainer trainer = HeadTrainer.create(config(4, HeadConfig.linear()), List.of("a", "b"))) {
            state = trainer.snapshot(Map.of());
        }
        assertThatThrownBy(() -> HeadTrainer.restore(config(4, HeadConfig.mlp(8, 0f)), state))
                .hasMessageContaining("checkpoint was written for");
    }
}
