package dev.streamtune.trainer;

import dev.streamtune.model.technique.DeterministicRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * The streaming recipe every {@link StreamingTrainer} shares: each step mixes the new examples
 * with a class-balanced draw from the replay buffer, weights the loss by inverse running class
 * frequency, then offers the new examples to the buffer; rehearsal steps train on the buffer
 * alone. A subclass says how a list of rows becomes one optimizer step on its model.
 *
 * <p>All randomness comes from {@link #rng}, which a checkpoint saves, so a restored trainer
 * draws the same replay rows as one that never stopped.
 */
abstract class ReplayingTrainer implements StreamingTrainer {
    protected final List<String> labels;
    private final float replayFraction;
    private final boolean classWeighting;
    protected DeterministicRandom rng;
    protected ClassBalancedReplayBuffer replay;
    protected long[] classCounts;
    protected long step;
    protected long examplesSeen;
    private long seed;
    private int replayCapacityPerClass;

    ReplayingTrainer(List<String> labels, float replayFraction, boolean classWeighting) {
        this.labels = new ArrayList<>(checkLabels(labels));
        this.replayFraction = replayFraction;
        this.classWeighting = classWeighting;
    }

    /** Starts the counters, buffer and generator fresh, or from {@code restored}. */
    protected final void initState(TrainerState restored, long seed, int replayCapacityPerClass) {
        this.seed = seed;
        this.replayCapacityPerClass = replayCapacityPerClass;
        if (restored == null) {
            rng = new DeterministicRandom(seed);
            replay = new ClassBalancedReplayBuffer(replayCapacityPerClass);
            classCounts = new long[labels.size()];
        } else {
            rng = new DeterministicRandom(restored.rngState());
            replay = ClassBalancedReplayBuffer.restore(replayCapacityPerClass, restored.replay());
            classCounts = restored.classCounts();
            step = restored.step();
            examplesSeen = restored.examplesSeen();
        }
    }

    private static List<String> checkLabels(List<String> labels) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("a trainer needs at least one label");
        }
        if (new HashSet<>(labels).size() != labels.size()) {
            throw new IllegalArgumentException("labels must be distinct, got " + labels);
        }
        return labels;
    }

    /** Rejects an example this trainer cannot feed (wrong width, too many tokens), naming row {@code row}. */
    protected abstract void checkExample(int row, TrainingExample example);

    /** One optimizer step on {@code rows}, each weighted by its class weight times its own weight; returns the loss. */
    protected abstract float optimizeOn(List<TrainingExample> rows, float[] classWeights);

    /** The learning rate the next step uses (for the step result). */
    protected abstract float learningRateAt(long step);

    @Override
    public StepResult step(List<TrainingExample> newExamples) {
        if (newExamples.isEmpty()) {
            throw new IllegalArgumentException("a step needs at least one new example");
        }
        for (int i = 0; i < newExamples.size(); i++) {
            TrainingExample example = newExamples.get(i);
            if (example.labelIndex() >= labels.size()) {
                throw new IllegalArgumentException("example " + i + " has labelIndex " + example.labelIndex()
                        + " but the trainer knows " + labels.size() + " labels; call addLabel first");
            }
            checkExample(i, example);
        }
        for (TrainingExample example : newExamples) {
            classCounts[example.labelIndex()]++;
        }
        List<TrainingExample> replayed = replay.sample(replayCount(newExamples.size()), rng);
        List<TrainingExample> rows = new ArrayList<>(newExamples.size() + replayed.size());
        rows.addAll(newExamples);
        rows.addAll(replayed);
        float loss = finite(optimizeOn(rows, classWeights()), rows.size());
        float learningRate = learningRateAt(step);
        for (TrainingExample example : newExamples) {
            replay.offer(example, rng);
        }
        step++;
        examplesSeen += newExamples.size();
        return new StepResult(step, loss, learningRate, newExamples.size(), replayed.size());
    }

    /**
     * One optimizer step on a draw from the replay buffer alone (rehearsal): a streaming model sees
     * each example once, and a few rehearsal steps per micro-batch give it the extra passes a
     * batch learner would take. The draw is already class-balanced, so no class weights are
     * applied on top. Returns empty when the buffer holds nothing yet.
     */
    @Override
    public Optional<StepResult> rehearse(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("rehearsal batch size must be at least 1, got " + batchSize);
        }
        List<TrainingExample> rows = replay.sample(batchSize, rng);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        float[] uniform = new float[labels.size()];
        Arrays.fill(uniform, 1f);
        float learningRate = learningRateAt(step);
        float loss = finite(optimizeOn(rows, uniform), rows.size());
        step++;
        return Optional.of(new StepResult(step, loss, learningRate, 0, rows.size()));
    }

    /**
     * The loss of a step, or an exception when it is not finite: the update has already spread
     * NaN into the weights, so training must stop here, before a checkpoint or version holds them;
     * a restart continues from the last checkpoint.
     */
    private float finite(float loss, int rows) {
        if (!Float.isFinite(loss)) {
            throw new IllegalStateException("training diverged: step " + (step + 1) + " on " + rows
                    + " rows has loss " + loss + "; nothing after the last checkpoint is kept (lower lr or head_lr)");
        }
        return loss;
    }

    private int replayCount(int newCount) {
        return replayFraction == 0f ? 0 : Math.round(newCount * replayFraction / (1f - replayFraction));
    }

    /**
     * Inverse running class frequency, {@code (n + C) / (C * (n_c + 1))} with add-one smoothing
     * so an unseen class does not get an infinite weight; all ones when weighting is off.
     */
    public float[] classWeights() {
        float[] weights = new float[labels.size()];
        if (!classWeighting) {
            Arrays.fill(weights, 1f);
            return weights;
        }
        long total = 0;
        for (long count : classCounts) {
            total += count;
        }
        int classes = labels.size();
        for (int c = 0; c < classes; c++) {
            weights[c] = (float) ((total + classes) / ((double) classes * (classCounts[c] + 1)));
        }
        return weights;
    }

    /** The replay, weighting and seed settings, as a version's hyperparameters record them. */
    protected final void putReplaySettings(java.util.Map<String, String> settings) {
        settings.put("replay_fraction", Float.toString(replayFraction));
        settings.put("replay_capacity_per_class", Integer.toString(replayCapacityPerClass));
        settings.put("class_weighting", Boolean.toString(classWeighting));
        settings.put("seed", Long.toString(seed));
    }

    /** Records a label appended to {@link #labels} in the class counts. */
    protected final void labelAdded() {
        classCounts = Arrays.copyOf(classCounts, labels.size());
    }

    /** Row {@code i}'s loss weight: its class weight times its own weight. */
    protected static float[] lossWeights(List<TrainingExample> rows, float[] classWeights) {
        float[] weights = new float[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            weights[i] = classWeights[rows.get(i).labelIndex()] * rows.get(i).weight();
        }
        return weights;
    }

    @Override
    public List<String> labels() {
        return List.copyOf(labels);
    }

    @Override
    public long step() {
        return step;
    }

    @Override
    public long examplesSeen() {
        return examplesSeen;
    }

    public ClassBalancedReplayBuffer replayBuffer() {
        return replay;
    }
}
