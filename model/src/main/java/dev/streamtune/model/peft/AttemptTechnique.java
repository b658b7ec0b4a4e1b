package dev.streamtune.model.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.DeltaRejectedException;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.NdListReader;
import dev.streamtune.model.delta.TensorSpec;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.technique.DeterministicRandom;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.TrainableModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ATTEMPT (Asai et al., EMNLP 2022): a new target prompt plus a small attention module that,
 * per input, mixes frozen source prompts trained on other tasks ({@link SourcePrompts}, a context
 * resource). For an input X: max-pool its word-piece vectors, project down, SiLU, project up,
 * LayerNorm, giving h; score each source prompt and the target prompt (each max-pooled over its
 * positions) by dot product with h over a temperature; softmax; and prepend
 * {@code target + sum_j a_j P_j}. Only the target prompt and the two projections are trained
 * (plus the head); the LayerNorm has no affine parameters.
 *
 * <p>Options: {@code prompt_length} (default 20, must equal the source prompts'),
 * {@code attention_rank} (default 32), {@code temperature} (default hidden x e, the paper's
 * choice, about 1044 for MiniLM), {@code source_versions} (the provenance names of the source
 * prompts, comma-separated, e.g. {@code fortune@v3,wordnet@v1}; see {@link #sourceProvenance}).
 *
 * <p>A published delta is self-contained ({@link TrainableModel#saveDelta()}): after the trained tensors and the
 * head it carries the frozen source prompts as {@code attempt.source.0}, {@code attempt.source.1},
 * ..., so a consumer rebuilds the model from the delta alone ({@link #loadDelta}) and needs no other
 * task's version. The source prompts are not trainable: {@link #tensorSpecs} and every parameter
 * count hold the trained tensors only.
 */
public final class AttemptTechnique extends EncoderTechnique {
    public static final String ID = "attempt";

    /** Measured by the PEFT benchmark (bench module) on the bundled corpora. */
    public static final float DEFAULT_LEARNING_RATE = 3e-2f;
    public static final String TARGET_PROMPT = "attempt.target_prompt";
    public static final String DOWN_WEIGHT = "attempt.down.weight";
    public static final String DOWN_BIAS = "attempt.down.bias";
    public static final String UP_WEIGHT = "attempt.up.weight";
    public static final String UP_BIAS = "attempt.up.bias";
    /** Name prefix of the frozen source prompts a self-contained delta carries, numbered from 0. */
    public static final String SOURCE_PREFIX = "attempt.source.";
    /** Option (hyperparameter) naming the source prompts' provenance, comma-separated, in delta order. */
    public static final String SOURCE_VERSIONS = "source_versions";
    /** The most source prompts a delta may carry: a limit for the bounded reader, far above any real mixture. */
    public static final int MAX_SOURCE_PROMPTS = 64;
    static final String RANK = "attention_rank";
    static final String TEMPERATURE = "temperature";
    static final int DEFAULT_RANK = 32;
    /** Added (negated) at padding so a padded position never wins the max-pool. */
    private static final float MASKED_PENALTY = 1e9f;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public float defaultLearningRate() {
        return DEFAULT_LEARNING_RATE;
    }

    @Override
    protected int prefixLength(TechniqueSpec spec) {
        return PromptTuningTechnique.promptLength(spec);
    }

    private static int rank(TechniqueSpec spec) {
        return PeftOptions.intOption(spec, RANK, DEFAULT_RANK, 1, 4096);
    }

    @Override
    protected List<TensorSpec> adaptationSpecs(TechniqueSpec spec, EncoderShape shape) {
        int length = PromptTuningTechnique.promptLength(spec);
        int rank = rank(spec);
        int h = shape.hidden();
        return List.of(new TensorSpec(TARGET_PROMPT, new long[] {length, h}),
                new TensorSpec(DOWN_WEIGHT, new long[] {h, rank}),
                new TensorSpec(DOWN_BIAS, new long[] {rank}),
                new TensorSpec(UP_WEIGHT, new long[] {rank, h}),
                new TensorSpec(UP_BIAS, new long[] {h}));
    }

    @Override
    protected List<NamedTensor> initialTensors(TechniqueContext context, MiniLmEncoder encoder, DeterministicRandom rng) {
        TechniqueSpec spec = context.spec();
        List<TensorSpec> specs = adaptationSpecs(spec, EncoderShape.of(spec));
        int length = PromptTuningTechnique.promptLength(spec);
        int h = encoder.architecture().hidden();
        int rank = rank(spec);
        List<NamedTensor> tensors = new ArrayList<>();
        tensors.add(new NamedTensor(TARGET_PROMPT, specs.get(0).shape(),
                PromptTuningTechnique.vocabularyVectors(encoder, length, rng)));
        tensors.add(new NamedTensor(DOWN_WEIGHT, specs.get(1).shape(), uniform(h * rank, h, rng)));
        tensors.add(new NamedTensor(DOWN_BIAS, specs.get(2).shape(), uniform(rank, h, rng)));
        tensors.add(new NamedTensor(UP_WEIGHT, specs.get(3).shape(), uniform(rank * h, rank, rng)));
        tensors.add(new NamedTensor(UP_BIAS, specs.get(4).shape(), uniform(h, rank, rng)));
        return tensors;
    }

    @Override
    protected Adaptation adaptation(TechniqueContext context, MiniLmEncoder encoder, List<NDArray> parameters,
                                    NDManager manager) {
        TechniqueSpec spec = context.spec();
        SourcePrompts sources = context.require(SourcePrompts.class);
        int length = PromptTuningTechnique.promptLength(spec);
        int hidden = encoder.architecture().hidden();
        if (sources.promptLength() != length || sources.hidden() != hidden) {
            throw new IllegalArgumentException("ATTEMPT source prompts are [" + sources.promptLength() + ", "
                    + sources.hidden() + "] but the target prompt is [" + length + ", " + hidden
                    + "] (set option prompt_length to match)");
        }
        float temperature = PeftOptions.floatOption(spec, TEMPERATURE, (float) (hidden * Math.E), 1e-6f, 1e9f);
        // frozen: never require a gradient
        NDArray sourceStack = manager.create(flatten(sources.prompts()),
                new Shape(sources.prompts().size(), length, hidden));
        NDArray target = parameters.get(0);
        NDArray downWeight = parameters.get(1);
        NDArray downBias = parameters.get(2);
        NDArray upWeight = parameters.get(3);
        NDArray upBias = parameters.get(4);
        return new Adaptation() {
            @Override
            public List<NDArray> parameters() {
                return parameters;
            }

            @Override
            public List<NamedTensor> deltaContext() {
                return sourceTensors(sources);
            }

            @Override
            public NDArray prefix(NDArray wordVectors, NDArray mask) {
                NDManager step = wordVectors.getManager();
                long rows = wordVectors.getShape().get(0);
                // max-pool over the real tokens: padding is pushed far below any real value
                NDArray pooledInput = wordVectors.add(mask.sub(1f).mul(MASKED_PENALTY).expandDims(2))
                        .max(new int[] {1});
                NDArray down = pooledInput.matMul(downWeight).add(downBias);
                NDArray activated = down.mul(Activation.sigmoid(down));
                NDArray up = activated.matMul(upWeight).add(upBias);
                NDArray query = LayerNorm.layerNorm(up, new Shape(hidden), step.ones(new Shape(hidden)),
                        step.zeros(new Shape(hidden)), 1e-5f).singletonOrThrow();
                // candidates: every source prompt, then the target prompt  [K, length, hidden]
                NDArray candidates = NDArrays.concat(new NDList(sourceStack, target.expandDims(0)), 0);
                NDArray keys = candidates.max(new int[] {1});                          // [K, hidden]
                NDArray weights = query.matMul(keys.transpose())
                        .div(MiniLmEncoder.constant(query, temperature)).softmax(1);        // [rows, K]
                long k = candidates.getShape().get(0);
                NDArray mixture = weights.matMul(candidates.reshape(k, length * (long) hidden))
                        .reshape(rows, length, hidden);
                return mixture.add(target.expandDims(0));
            }
        };
    }

    /** The source prompts under their delta names {@code attempt.source.0}, {@code .1}, ... in order. */
    public static List<NamedTensor> sourceTensors(SourcePrompts sources) {
        List<NamedTensor> tensors = new ArrayList<>(sources.prompts().size());
        for (int i = 0; i < sources.prompts().size(); i++) {
            NamedTensor prompt = sources.prompts().get(i);
            tensors.add(new NamedTensor(SOURCE_PREFIX + i, prompt.shape(), prompt.valuesView()));
        }
        return tensors;
    }

    /** The value of option {@code source_versions} for a version trained against {@code sources}. */
    public static String sourceProvenance(SourcePrompts sources) {
        return String.join(",", sources.names());
    }

    /**
     * Verifies and decodes a delta. A self-contained delta's source prompts are rebuilt from its
     * {@code attempt.source.N} tensors (replacing any {@link SourcePrompts} in {@code context}),
     * named after option {@code source_versions} when the version gives it; a delta without them
     * (a checkpoint's layout) needs the {@link SourcePrompts} resource.
     *
     * @throws DeltaRejectedException naming what is wrong: digest, format, a missing, extra or
     *     misshapen tensor, or a provenance list that does not match the prompts carried
     */
    @Override
    public TrainableModel loadDelta(TechniqueContext context, Delta delta) {
        TechniqueSpec spec = context.spec();
        List<TensorSpec> trained = tensorSpecs(spec, context.labelCount());
        long[] promptShape = {PromptTuningTechnique.promptLength(spec), EncoderShape.of(spec).hidden()};
        int sourceCount = sourceCount(delta, trained, promptShape);
        if (sourceCount == 0) {
            List<NamedTensor> tensors = DeltaCodec.decode(delta, trained);
            if (!context.resources().containsKey(SourcePrompts.class)) {
                throw new DeltaRejectedException("ATTEMPT delta carries no source prompts (" + SOURCE_PREFIX
                        + "0, ...) and none were given; publish it with TrainableModel.saveDelta(), which adds them");
            }
            return fromTensors(context, tensors);
        }
        List<TensorSpec> expected = new ArrayList<>(trained);
        for (int i = 0; i < sourceCount; i++) {
            expected.add(new TensorSpec(SOURCE_PREFIX + i, promptShape));
        }
        List<NamedTensor> tensors = DeltaCodec.decode(delta, expected);
        List<String> names = provenanceNames(spec, sourceCount);
        List<NamedTensor> prompts = new ArrayList<>(sourceCount);
        for (int i = 0; i < sourceCount; i++) {
            NamedTensor carried = tensors.get(trained.size() + i);
            prompts.add(new NamedTensor(names.get(i), carried.shape(), carried.valuesView()));
        }
        SourcePrompts sources;
        try {
            sources = new SourcePrompts(prompts);
        } catch (IllegalArgumentException e) {
            throw new DeltaRejectedException("ATTEMPT delta's source prompts: " + e.getMessage(), e);
        }
        Map<Class<?>, Object> resources = new LinkedHashMap<>(context.resources());
        resources.put(SourcePrompts.class, sources);
        return fromTensors(new TechniqueContext(spec, context.labelCount(), context.manager(), resources),
                tensors.subList(0, trained.size()));
    }

    /** Provenance names from option {@code source_versions}, or {@code attempt.source.N} when it is absent. */
    private static List<String> provenanceNames(TechniqueSpec spec, int count) {
        String listed = spec.options().get(SOURCE_VERSIONS);
        List<String> names = new ArrayList<>(count);
        if (listed == null || listed.isBlank()) {
            for (int i = 0; i < count; i++) {
                names.add(SOURCE_PREFIX + i);
            }
            return names;
        }
        for (String name : listed.split(",", -1)) {
            names.add(name.trim());
        }
        if (names.size() != count || names.stream().anyMatch(String::isEmpty)) {
            throw new DeltaRejectedException("option '" + SOURCE_VERSIONS + "' names " + names.size()
                    + " source prompts " + names + " but the delta carries " + count);
        }
        return names;
    }

    /**
     * How many {@code attempt.source.N} tensors the delta holds, from its headers alone (format and
     * digest are checked first, so nothing unverified is read). Only the trained tensors and at most
     * {@value #MAX_SOURCE_PROMPTS} source prompts of the prompt's shape are accepted, so the bounded
     * reader refuses anything else before allocating; {@link DeltaCodec#decode} then checks that they
     * are numbered 0..N-1.
     */
    private static int sourceCount(Delta delta, List<TensorSpec> trained, long[] promptShape) {
        Map<String, TensorSpec> byName = new LinkedHashMap<>();
        long total = 0;
        for (TensorSpec spec : trained) {
            byName.put(spec.name(), spec);
            total += spec.elementCount();
        }
        long perPrompt = new TensorSpec(SOURCE_PREFIX + 0, promptShape).elementCount();
        NdListReader.Limits limits = new NdListReader.Limits(trained.size() + MAX_SOURCE_PROMPTS,
                total + MAX_SOURCE_PROMPTS * perPrompt, name -> {
                    TensorSpec spec = byName.get(name);
                    return spec != null || sourceIndex(name) < 0 ? spec : new TensorSpec(name, promptShape);
                }, trained + " and up to " + MAX_SOURCE_PROMPTS + " " + SOURCE_PREFIX + "N"
                        + Arrays.toString(promptShape));
        int count = 0;
        for (NdListReader.Header header : DeltaCodec.scan(delta, limits)) {
            if (sourceIndex(header.name()) >= 0) {
                count++;
            }
        }
        return count;
    }

    /** N of a name {@code attempt.source.N} with N below {@value #MAX_SOURCE_PROMPTS}, else -1. */
    private static int sourceIndex(String name) {
        if (!name.startsWith(SOURCE_PREFIX)) {
            return -1;
        }
        String digits = name.substring(SOURCE_PREFIX.length());
        if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        int index = Integer.parseInt(digits);
        return index < MAX_SOURCE_PROMPTS && String.valueOf(index).equals(digits) ? index : -1;
    }

    private static float[] flatten(List<NamedTensor> prompts) {
        int size = prompts.get(0).valuesView().length;
        float[] flat = new float[size * prompts.size()];
        for (int i = 0; i < prompts.size(); i++) {
            System.arraycopy(prompts.get(i).valuesView(), 0, flat, i * size, size);
        }
        return flat;
    }
}
