package dev.streamtune.trainer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.head.HeadSpec;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.DeterministicRandom;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.model.technique.TrainableModel;
import dev.streamtune.model.technique.TrainingBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Streaming micro-batch training of the trainable part of a model on pooled embeddings:
 * class-weighted softmax cross-entropy, AdamW with warm-up and decay, a class-balanced replay
 * buffer mixed into every step, and label-set growth. Deterministic for a seed on the CPU, and
 * {@link #snapshot}/{@link #restore} carry every bit of state a continuation needs.
 *
 * <p>Not thread-safe: one trainer is driven by one consume loop.
 */
public final class HeadTrainer implements AutoCloseable {
    private final TrainerConfig config;
    private final Technique technique;
    private final TechniqueSpec techniqueSpec;
    private final NDManager root;
    private final TrainableModel model;
    private final AdamW optimizer;
    private final ClassBalancedReplayBuffer replay;
    private final DeterministicRandom rng;
    private final List<String> labels;
    private long[] classCounts;
    private long step;
    private long examplesSeen;

    private HeadTrainer(TrainerConfig config, List<String> labels, TrainerState restored) {
        this.config = config;
        this.technique = Techniques.byId(config.techniqueId());
        if (technique.inputKind() != BatchInput.InputKind.POOLED_FEATURES) {
            throw new IllegalArgumentException("HeadTrainer feeds pooled features; technique '" + technique.id()
                    + "' needs " + technique.inputKind());
        }
        HeadSpec head = config.head().toSpec(config.inputDim());
        this.techniqueSpec = new TechniqueSpec(technique.id(), head, Map.of());
        this.labels = new ArrayList<>(checkLabels(labels));
        Device device = config.resolveDevice();
        this.root = NDManager.newBaseManager(device);
        try {
            TechniqueContext context = new TechniqueContext(techniqueSpec, this.labels.size(), root);
            if (restored == null) {
                this.rng = new DeterministicRandom(config.seed());
                this.model = technique.create(context, rng);
                this.optimizer = new AdamW(config.optimizer(), model.trainableParameters(), root);
                this.replay = new ClassBalancedReplayBuffer(config.replayCapacityPerClass());
                this.classCounts = new long[this.labels.size()];
            } else {
                if (!restored.techniqueId().equals(technique.id()) || !restored.head().equals(head)) {
                    throw new IllegalArgumentException("checkpoint was written for technique '" + restored.techniqueId()
                            + "' with " + restored.head() + ", but this trainer is configured for '" + technique.id()
                            + "' with " + head);
                }
                this.rng = new DeterministicRandom(restored.rngState());
                this.model = technique.fromTensors(context, restored.parameters());
                this.optimizer = new AdamW(config.optimizer(), restored.optimizer(), root);
                this.replay = ClassBalancedReplayBuffer.restore(config.replayCapacityPerClass(), restored.replay());
                this.classCounts = restored.classCounts();
                this.step = restored.step();
                this.examplesSeen = restored.examplesSeen();
            }
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /** A fresh trainer, initialised from {@code config.seed()}. */
    public static HeadTrainer create(TrainerConfig config, List<String> labels) {
        return new HeadTrainer(config, labels, null);
    }

    /** A trainer that continues exactly where {@code state} was taken. */
    public static HeadTrainer restore(TrainerConfig config, TrainerState state) {
        return new HeadTrainer(config, state.labels(), state);
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

    /**
     * One optimizer step on {@code newExamples} plus replayed examples; afterwards the new
     * examples are offered to the replay buffer.
     */
    public StepResult step(List<LabeledExample> newExamples) {
        if (newExamples.isEmpty()) {
            throw new IllegalArgumentException("a step needs at least one new example");
        }
        for (int i = 0; i < newExamples.size(); i++) {
            LabeledExample example = newExamples.get(i);
            if (example.labelIndex() >= labels.size()) {
                throw new IllegalArgumentException("example " + i + " has labelIndex " + example.labelIndex()
                        + " but the trainer knows " + labels.size() + " labels; call addLabel first");
            }
            if (example.features().length != config.inputDim()) {
                throw new IllegalArgumentException("example " + i + " has " + example.features().length
                        + " features, inputDim is " + config.inputDim());
            }
        }
        for (LabeledExample example : newExamples) {
            classCounts[example.labelIndex()]++;
        }
        List<LabeledExample> replayed = replay.sample(replayCount(newExamples.size()), rng);
        List<LabeledExample> rows = new ArrayList<>(newExamples.size() + replayed.size());
        rows.addAll(newExamples);
        rows.addAll(replayed);
        float loss = optimizeOn(rows, classWeights());
        float learningRate = config.optimizer().learningRateAt(step);
        for (LabeledExample example : newExamples) {
            replay.offer(example, rng);
        }
        step++;
        examplesSeen += newExamples.size();
        return new StepResult(step, loss, learningRate, newExamples.size(), replayed.size());
    }

    /**
     * One optimizer step on a draw from the replay buffer alone (rehearsal): a streaming head sees
     * each example once, and a few rehearsal steps per micro-batch give it the extra passes a
     * batch learner would take. The draw is already class-balanced, so no class weights are
     * applied on top. Returns empty when the buffer holds nothing yet.
     */
    public java.util.Optional<StepResult> rehearse(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("rehearsal batch size must be at least 1, got " + batchSize);
        }
        List<LabeledExample> rows = replay.sample(batchSize, rng);
        if (rows.isEmpty()) {
            return java.util.Optional.empty();
        }
        float[] uniform = new float[labels.size()];
        Arrays.fill(uniform, 1f);
        float learningRate = config.optimizer().learningRateAt(step);
        float loss = optimizeOn(rows, uniform);
        step++;
        return java.util.Optional.of(new StepResult(step, loss, learningRate, 0, rows.size()));
    }

    /** Builds one batch from {@code rows}, weights each row by its class weight times its own weight, and steps. */
    private float optimizeOn(List<LabeledExample> rows, float[] classWeights) {
        int dim = config.inputDim();
        float[] features = new float[rows.size() * dim];
        int[] labelIndices = new int[rows.size()];
        float[] lossWeights = new float[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            LabeledExample example = rows.get(i);
            System.arraycopy(example.features(), 0, features, i * dim, dim);
            labelIndices[i] = example.labelIndex();
            lossWeights[i] = classWeights[example.labelIndex()] * example.weight();
        }
        TrainingBatch batch = new TrainingBatch(new BatchInput.PooledFeatures(features, rows.size(), dim), labelIndices, lossWeights);
        float learningRate = config.optimizer().learningRateAt(step);
        try (NDManager stepManager = model.manager().newSubManager()) {
            TrainableModel.StepGradients gradients = model.lossAndGradients(batch, stepManager, rng);
            optimizer.update(model.trainableParameters(), gradients.gradients(), learningRate);
            return gradients.loss();
        }
    }

    private int replayCount(int newCount) {
        float fraction = config.replayFraction();
        return fraction == 0f ? 0 : Math.round(newCount * fraction / (1f - fraction));
    }

    /**
     * Inverse running class frequency, {@code (n + C) / (C * (n_c + 1))} with add-one smoothing
     * so an unseen class does not get an infinite weight; all ones when weighting is off.
     */
    public float[] classWeights() {
        float[] weights = new float[labels.size()];
        if (!config.classWeighting()) {
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

    /**
     * Adds a label to an open label set: the head gains an output row (old rows unchanged),
     * AdamW state grows with it. Returns the new label's index; an existing label returns its index.
     */
    public int addLabel(String label) {
        int existing = labels.indexOf(label);
        if (existing >= 0) {
            return existing;
        }
        labels.add(label);
        model.growLabels(labels.size());
        optimizer.resize(model.trainableParameters());
        classCounts = Arrays.copyOf(classCounts, labels.size());
        return labels.size() - 1;
    }

    /** Class probabilities for each row, without dropout. */
    public float[][] probabilities(float[][] featureRows) {
        int classes = labels.size();
        try (NDManager evalManager = model.manager().newSubManager()) {
            NDArray logits = model.logits(BatchInput.PooledFeatures.of(featureRows), evalManager);
            float[] flat = HostReadback.floats(logits.softmax(1));
            float[][] result = new float[featureRows.length][classes];
            for (int r = 0; r < featureRows.length; r++) {
                System.arraycopy(flat, r * classes, result[r], 0, classes);
            }
            return result;
        }
    }

    /** The most probable label index for each row. */
    public int[] predict(float[][] featureRows) {
        float[][] probabilities = probabilities(featureRows);
        int[] predicted = new int[probabilities.length];
        for (int r = 0; r < probabilities.length; r++) {
            for (int c = 1; c < probabilities[r].length; c++) {
                if (probabilities[r][c] > probabilities[r][predicted[r]]) {
                    predicted[r] = c;
                }
            }
        }
        return predicted;
    }

    /** Everything needed to continue exactly; {@code nextOffsets} is stored as given. */
    public TrainerState snapshot(Map<String, Long> nextOffsets) {
        List<NamedTensor> parameters = model.exportTensors();
        List<String> names = model.trainableParameters().stream().map(NDArray::getName).toList();
        return new TrainerState(technique.id(), techniqueSpec.head(), labels, step, examplesSeen, rng.state(),
                parameters, optimizer.state(names), classCounts, replay.state(), nextOffsets);
    }

    /** The trained tensors of the current model as a pure-tensor delta with its sha256. */
    public Delta delta() {
        return model.saveDelta();
    }

    public List<NamedTensor> parameters() {
        return model.exportTensors();
    }

    public List<String> labels() {
        return List.copyOf(labels);
    }

    public long step() {
        return step;
    }

    public long examplesSeen() {
        return examplesSeen;
    }

    public long trainableParameterCount() {
        return model.trainableParameterCount();
    }

    public TechniqueSpec techniqueSpec() {
        return techniqueSpec;
    }

    public Device device() {
        return root.getDevice();
    }

    public ClassBalancedReplayBuffer replayBuffer() {
        return replay;
    }

    NDList trainableParameters() {
        return model.trainableParameters();
    }

    @Override
    public void close() {
        try (root) {
            model.close();
            optimizer.close();
        }
    }

    /** @param step steps taken including this one */
    public record StepResult(long step, float loss, float learningRate, int newExamples, int replayedExamples) {
    }
}
