package dev.streamtune.trainer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneTokenizer;
import dev.streamtune.model.backbone.TokenizedText;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.optim.AdamOptimizer;
import dev.streamtune.model.peft.EncoderClassifier;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.model.technique.TrainableModel;
import dev.streamtune.model.technique.TrainingBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Streaming micro-batch training of an encoder technique (prompt tuning, ATTEMPT, LoRA, BitFit,
 * top-k unfreezing) through the frozen MiniLM encoder, on tokenized text. The replay, class
 * weighting and checkpoint semantics are {@link HeadTrainer}'s ({@link ReplayingTrainer}); the
 * optimizer is Adam with one learning rate for the technique's tensors and one for the head, as
 * the PEFT benchmark trains them, and its moments travel in the checkpoint.
 *
 * <p>The trainer loads the encoder onto its device and owns it. Not thread-safe; several trainers
 * in one JVM (one per task) take turns at their steps, because DJL's PyTorch engine allows one
 * recording gradient collector per process.
 */
public final class EncoderTrainer extends ReplayingTrainer {
    private static final java.util.concurrent.locks.ReentrantLock STEP_LOCK = new java.util.concurrent.locks.ReentrantLock();
    private final EncoderTrainerConfig config;
    private final Technique technique;
    private final NDManager root;
    private final MiniLmEncoder encoder;
    private final EncoderClassifier model;
    private final BackboneTokenizer tokenizer;
    private final int adaptationTensors;
    private final Map<Class<?>, Object> resources;
    private AdamOptimizer adaptationOptimizer;
    private AdamOptimizer headOptimizer;

    private EncoderTrainer(EncoderTrainerConfig config, Backbone backbone, List<String> labels,
                           Map<Class<?>, Object> extraResources, TrainerState restored) {
        super(labels, config.replayFraction(), config.classWeighting());
        this.config = config;
        this.technique = Techniques.byId(config.spec().techniqueId());
        if (technique.inputKind() != BatchInput.InputKind.TOKEN_IDS) {
            throw new IllegalArgumentException("EncoderTrainer feeds token ids; technique '" + technique.id()
                    + "' needs " + technique.inputKind());
        }
        TechniqueSpec spec = config.spec();
        if (restored != null && (!restored.techniqueId().equals(technique.id()) || !restored.head().equals(spec.head()))) {
            throw new IllegalArgumentException("checkpoint was written for technique '" + restored.techniqueId()
                    + "' with " + restored.head() + ", but this trainer is configured for '" + technique.id()
                    + "' with " + spec.head());
        }
        this.root = NDManager.newBaseManager(TrainerConfig.resolveDevice(config.device()));
        BackboneTokenizer opened = null;
        try {
            this.encoder = MiniLmEncoder.load(backbone, MiniLmEncoder.MINILM_HEADS, root);
            Map<Class<?>, Object> all = new LinkedHashMap<>(extraResources);
            all.put(MiniLmEncoder.class, encoder);
            this.resources = Map.copyOf(all);
            TechniqueContext context = new TechniqueContext(spec, this.labels.size(), root, resources);
            initState(restored, config.seed(), config.replayCapacityPerClass());
            TrainableModel built = restored == null ? technique.create(context, rng)
                    : technique.fromTensors(context, restored.parameters());
            this.model = (EncoderClassifier) built;
            this.adaptationTensors = technique.tensorSpecs(spec, this.labels.size()).size()
                    - spec.head().tensorSpecs(this.labels.size()).size();
            if (restored == null) {
                this.adaptationOptimizer = new AdamOptimizer(root, config.learningRate());
                this.headOptimizer = new AdamOptimizer(root, config.headLearningRate());
            } else {
                AdamOptimizer.State saved = restored.optimizer();
                int split = saved.firstMoments().isEmpty() ? 0 : adaptationTensors;
                this.adaptationOptimizer = AdamOptimizer.restore(root, config.learningRate(), new AdamOptimizer.State(
                        saved.steps(), saved.firstMoments().subList(0, split), saved.secondMoments().subList(0, split)));
                int all2 = saved.firstMoments().size();
                this.headOptimizer = AdamOptimizer.restore(root, config.headLearningRate(), new AdamOptimizer.State(
                        saved.steps(), saved.firstMoments().subList(split, all2), saved.secondMoments().subList(split, all2)));
            }
            opened = BackboneTokenizer.load(backbone, model.maxTokens());
            this.tokenizer = opened;
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            root.close();
            throw e;
        }
    }

    /**
     * A fresh trainer, initialised from {@code config.seed()}.
     *
     * @param extraResources context resources the technique needs besides the encoder (ATTEMPT's source prompts)
     */
    public static EncoderTrainer create(EncoderTrainerConfig config, Backbone backbone, List<String> labels,
                                        Map<Class<?>, Object> extraResources) {
        return new EncoderTrainer(config, backbone, labels, extraResources, null);
    }

    /** A trainer that continues exactly where {@code state} was taken. */
    public static EncoderTrainer restore(EncoderTrainerConfig config, Backbone backbone, TrainerState state,
                                         Map<Class<?>, Object> extraResources) {
        return new EncoderTrainer(config, backbone, state.labels(), extraResources, state);
    }

    /** Word-piece ids of {@code text}, special tokens included, truncated to the technique's {@code max_tokens}. */
    public int[] tokenize(String text) {
        TokenizedText tokens = tokenizer.encode(text);
        return tokens.intIds();
    }

    /** The longest token row the model takes, special tokens included. */
    public int maxTokens() {
        return model.maxTokens();
    }

    @Override
    protected void checkExample(int row, TrainingExample example) {
        int length = example.features().length;
        if (length < 2 || length > model.maxTokens()) {
            throw new IllegalArgumentException("example " + row + " has " + length + " tokens; the technique takes 2 to "
                    + model.maxTokens() + " (max_tokens)");
        }
    }

    @Override
    protected float learningRateAt(long atStep) {
        return config.learningRate();
    }

    @Override
    protected float optimizeOn(List<TrainingExample> rows, float[] classWeights) {
        int[][] ids = new int[rows.size()][];
        int[][] mask = new int[rows.size()][];
        int[] labelIndices = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            ids[i] = rows.get(i).tokenIds();
            mask[i] = new int[ids[i].length];
            Arrays.fill(mask[i], 1);
            labelIndices[i] = rows.get(i).labelIndex();
        }
        TrainingBatch batch = new TrainingBatch(new BatchInput.TokenIds(ids, mask), labelIndices,
                lossWeights(rows, classWeights));
        STEP_LOCK.lock();
        try (NDManager stepManager = model.manager().newSubManager()) {
            TrainableModel.StepGradients result = model.lossAndGradients(batch, stepManager, rng);
            NDList parameters = model.trainableParameters();
            adaptationOptimizer.update(sub(parameters, 0, adaptationTensors),
                    sub(result.gradients(), 0, adaptationTensors));
            headOptimizer.update(sub(parameters, adaptationTensors, parameters.size()),
                    sub(result.gradients(), adaptationTensors, parameters.size()));
            return result.loss();
        } finally {
            STEP_LOCK.unlock();
        }
    }

    private static NDList sub(NDList list, int from, int to) {
        return new NDList(list.subList(from, to));
    }

    /**
     * Adds a label to an open label set: the head gains an output row (old rows unchanged) and
     * the head's Adam moments grow with zero rows for it.
     */
    @Override
    public int addLabel(String label) {
        int existing = labels.indexOf(label);
        if (existing >= 0) {
            return existing;
        }
        AdamOptimizer.State headState = headOptimizer.state(headNames());
        labels.add(label);
        model.growLabels(labels.size());
        labelAdded();
        List<NDArray> grownParameters = model.trainableParameters().subList(adaptationTensors,
                model.trainableParameters().size());
        List<NamedTensor> first = new ArrayList<>();
        List<NamedTensor> second = new ArrayList<>();
        for (int i = 0; i < headState.firstMoments().size(); i++) {
            long[] shape = grownParameters.get(i).getShape().getShape();
            first.add(grown(headState.firstMoments().get(i), shape));
            second.add(grown(headState.secondMoments().get(i), shape));
        }
        headOptimizer.close();
        headOptimizer = AdamOptimizer.restore(root, config.headLearningRate(),
                new AdamOptimizer.State(headState.steps(), first, second));
        return labels.size() - 1;
    }

    /** Moments of a parameter that grew along its first axis: old rows kept, new rows zero. */
    private static NamedTensor grown(NamedTensor old, long[] shape) {
        long size = 1;
        for (long dim : shape) {
            size *= dim;
        }
        if (shape.length != old.shape().length || size < old.valuesView().length) {
            throw new IllegalArgumentException("Adam moments can only grow along the first axis: "
                    + Arrays.toString(old.shape()) + " -> " + Arrays.toString(shape));
        }
        return new NamedTensor(old.name(), shape, Arrays.copyOf(old.valuesView(), Math.toIntExact(size)));
    }

    private List<String> parameterNames() {
        NDList parameters = model.trainableParameters();
        List<String> names = new ArrayList<>(parameters.size());
        for (int i = 0; i < parameters.size(); i++) {
            String name = parameters.get(i).getName();
            names.add(name != null ? name : "parameter" + i);
        }
        return names;
    }

    private List<String> headNames() {
        List<String> names = parameterNames();
        return names.subList(adaptationTensors, names.size());
    }

    @Override
    public TrainerState snapshot(Map<String, Long> nextOffsets) {
        List<String> names = parameterNames();
        AdamOptimizer.State own = adaptationOptimizer.state(names.subList(0, adaptationTensors));
        AdamOptimizer.State head = headOptimizer.state(names.subList(adaptationTensors, names.size()));
        List<NamedTensor> first = new ArrayList<>(own.firstMoments());
        first.addAll(head.firstMoments());
        List<NamedTensor> second = new ArrayList<>(own.secondMoments());
        second.addAll(head.secondMoments());
        // both optimizers step together, so one step count describes both
        AdamOptimizer.State optimizerState = new AdamOptimizer.State(own.steps(), first, second);
        return new TrainerState(technique.id(), config.spec().head(), labels, step, examplesSeen, rng.state(),
                model.exportTensors(), optimizerState, classCounts, replay.state(), nextOffsets);
    }

    @Override
    public Delta delta() {
        // an ATTEMPT delta also carries the frozen source prompts, so a consumer rebuilds it from the delta alone
        return model.saveDelta();
    }

    /** Class probabilities of each text, without dropout (LoRA merged). */
    public float[][] probabilities(List<String> texts) {
        int[][] ids = new int[texts.size()][];
        int[][] mask = new int[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            ids[i] = tokenize(texts.get(i));
            mask[i] = new int[ids[i].length];
            Arrays.fill(mask[i], 1);
        }
        int classes = labels.size();
        try (NDManager evalManager = model.manager().newSubManager()) {
            float[] flat = dev.streamtune.model.HostReadback.floats(
                    model.logits(new BatchInput.TokenIds(ids, mask), evalManager).softmax(1));
            float[][] result = new float[texts.size()][classes];
            for (int r = 0; r < texts.size(); r++) {
                System.arraycopy(flat, r * classes, result[r], 0, classes);
            }
            return result;
        }
    }

    @Override
    public long trainableParameterCount() {
        return model.trainableParameterCount();
    }

    @Override
    public OptionalDouble trainableFraction() {
        return OptionalDouble.of(model.trainableFraction());
    }

    @Override
    public Map<String, String> trainingSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("optimizer", "adam");
        settings.put("lr", Float.toString(config.learningRate()));
        settings.put("head_lr", Float.toString(config.headLearningRate()));
        settings.put("max_tokens", Integer.toString(model.maxTokens()));
        putReplaySettings(settings);
        return settings;
    }

    @Override
    public TechniqueSpec techniqueSpec() {
        return config.spec();
    }

    @Override
    public Device device() {
        return root.getDevice();
    }

    /** The context resources the model was built with (the encoder and any extras): a delta decodes against them. */
    public Map<Class<?>, Object> resources() {
        return resources;
    }

    @Override
    public void close() {
        try (root; tokenizer) {
            model.close();
            adaptationOptimizer.close();
            headOptimizer.close();
        }
    }
}
