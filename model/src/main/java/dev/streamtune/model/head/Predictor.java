package dev.streamtune.model.head;

import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.NamedTensor;
import java.util.List;
import java.util.Objects;

/**
 * Serves a head-only model version: base + delta + label list. The head is evaluated on the CPU
 * in plain Java from the delta's tensors, because a serving process scores one pooled vector at
 * a time and a few hundred thousand multiply-adds cost less than the native calls they would
 * need; a test holds it equal to the DJL forward pass within 1e-5.
 *
 * <p>Immutable and thread-safe.
 */
public final class Predictor {
    private final BaseModelRef base;
    private final HeadSpec spec;
    private final List<String> labels;
    private final String deltaSha256;
    private final Layer[] layers;

    private Predictor(BaseModelRef base, HeadSpec spec, List<String> labels, String deltaSha256, Layer[] layers) {
        this.base = base;
        this.spec = spec;
        this.labels = labels;
        this.deltaSha256 = deltaSha256;
        this.layers = layers;
    }

    /**
     * @param labels the label list in output order, as recorded in the model version
     * @throws dev.streamtune.model.delta.DeltaRejectedException on a digest mismatch, an unknown
     *     format, or tensors whose names or shapes do not fit {@code spec} and {@code labels}
     */
    public static Predictor load(BaseModelRef base, HeadSpec spec, List<String> labels, Delta delta) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(spec, "spec");
        List<String> labelList = List.copyOf(labels);
        if (labelList.isEmpty()) {
            throw new IllegalArgumentException("labels must not be empty");
        }
        List<NamedTensor> tensors = DeltaCodec.decode(delta, spec.tensorSpecs(labelList.size()));
        Layer[] layers = new Layer[tensors.size() / 2];
        for (int i = 0; i < layers.length; i++) {
            NamedTensor weight = tensors.get(2 * i);
            layers[i] = new Layer(weight.valuesView(), tensors.get(2 * i + 1).valuesView(),
                    (int) weight.shape()[0], (int) weight.shape()[1]);
        }
        return new Predictor(base, spec, labelList, delta.sha256(), layers);
    }

    public BaseModelRef base() {
        return base;
    }

    public HeadSpec spec() {
        return spec;
    }

    public List<String> labels() {
        return labels;
    }

    public String deltaSha256() {
        return deltaSha256;
    }

    public Prediction predict(float[] features) {
        if (features.length != spec.inputDim()) {
            throw new IllegalArgumentException("features must have " + spec.inputDim() + " values, got " + features.length);
        }
        float[] activation = features;
        for (int i = 0; i < layers.length; i++) {
            activation = layers[i].apply(activation, i < layers.length - 1);
        }
        float[] probabilities = softmax(activation);
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return new Prediction(labels.get(best), best, probabilities);
    }

    /** Raw logits, for comparing with another implementation of the same head. */
    public float[] logits(float[] features) {
        float[] activation = features;
        for (int i = 0; i < layers.length; i++) {
            activation = layers[i].apply(activation, i < layers.length - 1);
        }
        return activation;
    }

    private static float[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        double[] exp = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            exp[i] = Math.exp(logits[i] - max);
            sum += exp[i];
        }
        float[] probabilities = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            probabilities[i] = (float) (exp[i] / sum);
        }
        return probabilities;
    }

    private record Layer(float[] weight, float[] bias, int outputs, int inputs) {
        float[] apply(float[] input, boolean relu) {
            float[] output = new float[outputs];
            for (int row = 0; row < outputs; row++) {
                double sum = bias[row];
                int offset = row * inputs;
                for (int col = 0; col < inputs; col++) {
                    sum += (double) weight[offset + col] * input[col];
                }
                output[row] = relu && sum < 0 ? 0f : (float) sum;
            }
            return output;
        }
    }

    /** The most probable label, its index, and the probability of every label in output order. */
    public record Prediction(String label, int labelIndex, float[] probabilities) {
    }
}
