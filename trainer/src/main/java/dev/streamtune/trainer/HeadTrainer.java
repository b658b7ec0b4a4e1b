package dev.streamtune.trainer;

import dev.streamtune.model.optim.AdamOptimizer;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.head.HeadSpec;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.model.technique.TrainableModel;
import dev.streamtune.model.technique.TrainingBatch;
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
public final class HeadTrainer extends ReplayingTrainer {
    private final TrainerConfig config;
    private final Technique technique;
    private final TechniqueSpec techniqueSpec;
    private final NDManager root;
    private final TrainableModel model;
    private final AdamOptimizer optimizer;

    private HeadTrainer(TrainerConfig config, List<String> labels, TrainerState restored) {
        super(labels, config.replayFraction(), config.classWeighting());
        this.config = config;
        this.technique = Techniques.byId(config.techniqueId());
        if (technique.inputKind() != BatchInput.InputKind.POOLED_FEATURES) {
            throw new IllegalArgumentException("HeadTrainer feeds pooled features; technique '" + technique.id()
                    + "' needs " + technique.inputKind());
        }
        HeadSpec head = config.head().toSpec(config.inputDim());
        this.techniqueSpec = new TechniqueSpec(technique.id(), head, Map.of());
        Device device = config.resolveDevice();
        this.root = NDManager.newBaseManager(device);
        try {
            TechniqueContext context = new TechniqueContext(techniqueSpec, this.labels.size(), root);
            if (restored != null && (!restored.techniqueId().equals(technique.id()) || !restored.head().equals(head))) {
                throw new IllegalArgumentException("checkpoint was written for technique '" + restored.techniqueId()
                        + "' with " + restored.head() + ", but this trainer is configured for '" + technique.id()
                        + "' with " + head);
            }
            initState(restored, config.seed(), config.replayCapacityPerClass());
            OptimizerConfig o = config.optimizer();
            if (restored == null) {
                this.model = technique.create(context, rng);
                this.optimizer = new AdamOptimizer(root, o.learningRate(), o.beta1(), o.beta2(), o.epsilon(), o.weightDecay());
            } else {
                this.model = technique.fromTensors(context, restored.parameters());
                this.optimizer = AdamOptimizer.restore(root, o.learningRate(), o.beta1(), o.beta2(), o.epsilon(), o.weightDecay(),
                        restored.optimizer());
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

    @Override
    protected void checkExample(int row, TrainingExample example) {
        if (example.features().length != config.inputDim()) {
            throw new IllegalArgumentException("example " + row + " has " + example.features().length
                    + " features, inputDim is " + config.inputDim());
        }
    }

    @Override
    protected float learningRateAt(long atStep) {
        return config.optimizer().learningRateAt(atStep);
    }

    /** Builds one batch from {@code rows}, weights each row by its class weight times its own weight, and steps. */
    @Override
    protected float optimizeOn(List<TrainingExample> rows, float[] classWeights) {
        int dim = config.inputDim();
        float[] features = new float[rows.size() * dim];
        int[] labelIndices = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            TrainingExample example = rows.get(i);
            System.arraycopy(example.features(), 0, features, i * dim, dim);
            labelIndices[i] = example.labelIndex();
        }
        TrainingBatch batch = new TrainingBatch(new BatchInput.PooledFeatures(features, rows.size(), dim), labelIndices,
                lossWeights(rows, classWeights));
        float learningRate = config.optimizer().learningRateAt(step);
        try (NDManager stepManager = model.manager().newSubManager()) {
            TrainableModel.StepGradients gradients = model.lossAndGradients(batch, stepManager, rng);
            optimizer.update(model.trainableParameters(), gradients.gradients(), learningRate);
            return gradients.loss();
        }
    }

    /**
     * Adds a label to an open label set: the head gains an output row (old rows unchanged),
     * the optimizer's moments grow with it. Returns the new label's index; an existing label returns its index.
     */
    @Override
    public int addLabel(String label) {
        int existing = labels.indexOf(label);
        if (existing >= 0) {
            return existing;
        }
        labels.add(label);
        model.growLabels(labels.size());
        optimizer.resize(model.trainableParameters());
        labelAdded();
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

    @Override
    public TrainerState snapshot(Map<String, Long> nextOffsets) {
        List<NamedTensor> parameters = model.exportTensors();
        List<String> names = model.trainableParameters().stream().map(NDArray::getName).toList();
        return new TrainerState(technique.id(), techniqueSpec.head(), labels, step, examplesSeen, rng.state(),
                parameters, optimizer.state(names), classCounts, replay.state(), nextOffsets);
    }

    @Override
    public Delta delta() {
        return model.saveDelta();
    }

    public List<NamedTensor> parameters() {
        return model.exportTensors();
    }

    @Override
    public long trainableParameterCount() {
        return model.trainableParameterCount();
    }

    /** Empty: head-only trains on features, and the frozen encoder it sits on is not loaded here. */
    @Override
    public java.util.OptionalDouble trainableFraction() {
        return java.util.OptionalDouble.empty();
    }

    @Override
    public Map<String, String> trainingSettings() {
        OptimizerConfig optimizerConfig = config.optimizer();
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("optimizer", "adamw");
        settings.put("lr", Float.toString(optimizerConfig.learningRate()));
        settings.put("beta1", Float.toString(optimizerConfig.beta1()));
        settings.put("beta2", Float.toString(optimizerConfig.beta2()));
        settings.put("epsilon", Float.toString(optimizerConfig.epsilon()));
        settings.put("weight_decay", Float.toString(optimizerConfig.weightDecay()));
        settings.put("warmup_steps", Integer.toString(optimizerConfig.warmupSteps()));
        settings.put("decay_steps", Long.toString(optimizerConfig.decaySteps()));
        settings.put("schedule", optimizerConfig.schedule().name().toLowerCase(java.util.Locale.ROOT));
        settings.put("min_lr_ratio", Float.toString(optimizerConfig.minLearningRateRatio()));
        putReplaySettings(settings);
        return settings;
    }

    @Override
    public TechniqueSpec techniqueSpec() {
        return techniqueSpec;
    }

    @Override
    public Device device() {
        return root.getDevice();
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
}
