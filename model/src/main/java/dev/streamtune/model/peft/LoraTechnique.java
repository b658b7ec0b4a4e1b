package dev.streamtune.model.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.TensorSpec;
import dev.streamtune.model.encoder.EncoderAdapter;
import dev.streamtune.model.encoder.EncoderWeights;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.technique.DeterministicRandom;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA (Hu et al., 2021) on the query and value projections of every layer: {@code W x} becomes
 * {@code W x + (alpha / r) B A x} with rank-r factors; options {@code lora_rank} (default 8) and
 * {@code lora_alpha} (default 16). As in the paper, A starts random (PyTorch's Linear
 * initialisation, as PEFT) and B at zero, so training starts from the frozen model exactly.
 *
 * <p>The weights here are stored [in, out] (the ONNX layout), so the factors are too:
 * {@code lora.N.query.a} is [hidden, r] and {@code .b} is [r, hidden], and the update
 * is {@code x @ a @ b * alpha / r}. For inference they are merged: {@code W' = W + a @ b * alpha / r}.
 */
public final class LoraTechnique extends EncoderTechnique {
    public static final String ID = "lora";

    /** Measured by the PEFT benchmark (bench module) on the bundled corpora. */
    public static final float DEFAULT_LEARNING_RATE = 2e-3f;
    static final String RANK = "lora_rank";
    static final String ALPHA = "lora_alpha";
    static final int DEFAULT_RANK = 8;
    static final float DEFAULT_ALPHA = 16f;
    private static final List<String> TARGETS = List.of(MiniLmEncoder.Dense.QUERY, MiniLmEncoder.Dense.VALUE);

    @Override
    public String id() {
        return ID;
    }

    @Override
    public float defaultLearningRate() {
        return DEFAULT_LEARNING_RATE;
    }

    static int rank(TechniqueSpec spec) {
        return PeftOptions.intOption(spec, RANK, DEFAULT_RANK, 1, spec.head().inputDim());
    }

    static float scale(TechniqueSpec spec) {
        return PeftOptions.floatOption(spec, ALPHA, DEFAULT_ALPHA, 1e-6f, 1e6f) / rank(spec);
    }

    /** {@code lora.<layer>.<query|value>}: the prefix of a pair of factor names. */
    static String factorPrefix(int layer, String target) {
        return "lora." + layer + "." + target.substring(target.lastIndexOf('.') + 1);
    }

    @Override
    protected List<TensorSpec> adaptationSpecs(TechniqueSpec spec, EncoderShape shape) {
        int rank = rank(spec);
        List<TensorSpec> specs = new ArrayList<>();
        for (int layer = 0; layer < shape.layers(); layer++) {
            for (String target : TARGETS) {
                specs.add(new TensorSpec(factorPrefix(layer, target) + ".a", new long[] {shape.hidden(), rank}));
                specs.add(new TensorSpec(factorPrefix(layer, target) + ".b", new long[] {rank, shape.hidden()}));
            }
        }
        return specs;
    }

    @Override
    protected List<NamedTensor> initialTensors(TechniqueContext context, MiniLmEncoder encoder, DeterministicRandom rng) {
        List<NamedTensor> tensors = new ArrayList<>();
        for (TensorSpec spec : adaptationSpecs(context.spec(), EncoderShape.of(context.spec()))) {
            int count = (int) spec.elementCount();
            boolean isA = spec.name().endsWith(".a");
            float[] values = isA ? uniform(count, (int) spec.shape()[0], rng) : new float[count];
            tensors.add(new NamedTensor(spec.name(), spec.shape(), values));
        }
        return tensors;
    }

    @Override
    protected Adaptation adaptation(TechniqueContext context, MiniLmEncoder encoder, List<NDArray> parameters,
                                    NDManager manager) {
        float scale = scale(context.spec());
        // dense layer name -> {a, b}
        Map<String, NDArray[]> factors = new HashMap<>();
        int index = 0;
        for (int layer = 0; layer < encoder.architecture().layers(); layer++) {
            for (String target : TARGETS) {
                factors.put(EncoderWeights.layerName(layer, target),
                        new NDArray[] {parameters.get(index), parameters.get(index + 1)});
                index += 2;
            }
        }
        return new Adaptation() {
            @Override
            public List<NDArray> parameters() {
                return parameters;
            }

            @Override
            public NDArray denseResidual(String layer, NDArray input) {
                NDArray[] pair = factors.get(layer);
                return pair == null ? null
                        : input.matMul(pair[0]).matMul(pair[1]).mul(MiniLmEncoder.constant(input, scale));
            }

            @Override
            public EncoderAdapter forInference(NDManager step) {
                Map<String, NDArray> merged = new HashMap<>();
                for (Map.Entry<String, NDArray[]> entry : factors.entrySet()) {
                    String weight = entry.getKey() + ".weight";
                    NDArray[] pair = entry.getValue();
                    NDArray update = pair[0].stopGradient().matMul(pair[1].stopGradient()).mul(scale);
                    merged.put(weight, update.add(encoder.frozenParameter(weight)));
                }
                return new EncoderAdapter() {
                    @Override
                    public NDArray parameter(String name, NDArray frozen) {
                        return merged.getOrDefault(name, frozen);
                    }
                };
            }
        };
    }

    /**
     * The query and value weights with the factors merged in ([in, out], under the encoder's
     * names): what a server that never trains needs, one matrix per projection and no extra cost.
     *
     * @param factors the LoRA tensors of a delta, in {@link #tensorSpecs} order (head excluded)
     */
    public static List<NamedTensor> mergedWeights(MiniLmEncoder encoder, TechniqueSpec spec, List<NamedTensor> factors) {
        float scale = scale(spec);
        List<NamedTensor> merged = new ArrayList<>();
        try (NDManager scratch = encoder.manager().newSubManager()) {
            int index = 0;
            for (int layer = 0; layer < encoder.architecture().layers(); layer++) {
                for (String target : TARGETS) {
                    NamedTensor a = factors.get(index++);
                    NamedTensor b = factors.get(index++);
                    String weight = EncoderWeights.layerName(layer, target) + ".weight";
                    NDArray frozen = encoder.frozenParameter(weight);
                    NDArray update = scratch.create(a.valuesView(), new Shape(a.shape()))
                            .matMul(scratch.create(b.valuesView(), new Shape(b.shape())))
                            .mul(scale);
                    merged.add(new NamedTensor(weight, frozen.getShape().getShape(), HostReadback.floats(update.add(frozen))));
                }
            }
        }
        return merged;
    }
}
