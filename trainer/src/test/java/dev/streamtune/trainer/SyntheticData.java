package dev.streamtune.trainer;

import dev.streamtune.model.technique.DeterministicRandom;
import java.util.ArrayList;
import java.util.List;

/** Gaussian clusters: class c is centred at {@code separation} along axis c, unit noise elsewhere. */
final class SyntheticData {
    private final int dim;
    private final float separation;
    private final DeterministicRandom rng;

    SyntheticData(int dim, float separation, long seed) {
        this.dim = dim;
        this.separation = separation;
        this.rng = new DeterministicRandom(seed);
    }

    float[] point(int label) {
        float[] x = new float[dim];
        for (int i = 0; i < dim; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        x[label] += separation;
        return x;
    }

    List<TrainingExample> batch(int size, int... labelCycle) {
        List<TrainingExample> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int label = labelCycle[rng.nextInt(labelCycle.length)];
            batch.add(TrainingExample.of(point(label), label));
        }
        return batch;
    }

    /** {@code size} examples of which each is the minority label with probability {@code minorityShare}. */
    List<TrainingExample> imbalancedBatch(int size, double minorityShare) {
        List<TrainingExample> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int label = rng.nextDouble() < minorityShare ? 1 : 0;
            batch.add(TrainingExample.of(point(label), label));
        }
        return batch;
    }

    static double accuracy(HeadTrainer trainer, List<TrainingExample> examples) {
        float[][] rows = examples.stream().map(TrainingExample::features).toArray(float[][]::new);
        int[] predicted = trainer.predict(rows);
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] == examples.get(i).labelIndex()) {
                correct++;
            }
        }
        return correct / (double) predicted.length;
    }
}
