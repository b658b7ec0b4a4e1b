package dev.streamtune.model.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.TensorSpec;
import dev.streamtune.model.technique.DeterministicRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A linear or MLP head on DJL NDArrays, with the gradient of its weighted softmax cross-entropy
 * written out by hand.
 *
 * <p>Why not autograd: a head step is a handful of small matrix products, so its cost is the
 * number of native calls, not arithmetic. The explicit backward pass uses about half the calls
 * of a recorded graph (no graph bookkeeping, no gradient zeroing, no per-parameter
 * {@code getGradient()}), and a test checks it against DJL's {@code GradientCollector}.
 *
 * <p>Every array a step creates is attached to the manager of the input array it is given
 * (a per-step sub-manager), so closing that manager frees the step's native memory; only the
 * parameters live in this network's own manager.
 */
public final class HeadNetwork implements AutoCloseable {
    public static final String HIDDEN_WEIGHT = "hidden.weight";
    public static final String HIDDEN_BIAS = "hidden.bias";
    public static final String OUTPUT_WEIGHT = "output.weight";
    public static final String OUTPUT_BIAS = "output.bias";

    private final HeadSpec spec;
    private final NDManager manager;
    private final List<NDArray> parameters;
    private int labelCount;

    private HeadNetwork(HeadSpec spec, int labelCount, NDManager manager, List<NDArray> parameters) {
        this.spec = spec;
        this.labelCount = labelCount;
        this.manager = manager;
        this.parameters = parameters;
    }

    /** Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) weights and biases, as PyTorch's nn.Linear, from {@code rng}. */
    public static HeadNetwork initialize(HeadSpec spec, int labelCount, NDManager parent, DeterministicRandom rng) {
        List<NamedTensor> tensors = new ArrayList<>();
        List<TensorSpec> specs = spec.tensorSpecs(labelCount);
        for (int i = 0; i < specs.size(); i += 2) {
            TensorSpec weight = specs.get(i);
            TensorSpec bias = specs.get(i + 1);
            float bound = (float) (1.0 / Math.sqrt(weight.shape()[1]));
            tensors.add(new NamedTensor(weight.name(), weight.shape(), uniform(weight.elementCount(), bound, rng)));
            tensors.add(new NamedTensor(bias.name(), bias.shape(), uniform(bias.elementCount(), bound, rng)));
        }
        return fromTensors(spec, labelCount, tensors, parent);
    }

    private static float[] uniform(long count, float bound, DeterministicRandom rng) {
        float[] values = new float[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = (2f * rng.nextFloat() - 1f) * bound;
        }
        return values;
    }

    /** A head holding exactly these tensors, which must match {@code spec.tensorSpecs(labelCount)}. */
    public static HeadNetwork fromTensors(HeadSpec spec, int labelCount, List<NamedTensor> tensors, NDManager parent) {
        List<TensorSpec> expected = spec.tensorSpecs(labelCount);
        if (tensors.size() != expected.size()) {
            throw new IllegalArgumentException("a " + spec.kind() + " head has " + expected.size()
                    + " tensors " + expected + ", got " + tensors.size());
        }
        NDManager manager = parent.newSubManager();
        List<NDArray> parameters = new ArrayList<>(tensors.size());
        try {
            for (int i = 0; i < expected.size(); i++) {
                NamedTensor tensor = tensors.get(i);
                if (!tensor.spec().equals(expected.get(i))) {
                    throw new IllegalArgumentException("head tensor " + i + " must be " + expected.get(i)
                            + ", got " + tensor.spec());
                }
                parameters.add(toArray(manager, tensor));
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        return new HeadNetwork(spec, labelCount, manager, parameters);
    }

    private static NDArray toArray(NDManager manager, NamedTensor tensor) {
        NDArray array = manager.create(tensor.valuesView(), new Shape(tensor.shape()));
        array.setName(tensor.name());
        return array;
    }

    public HeadSpec spec() {
        return spec;
    }

    public int labelCount() {
        return labelCount;
    }

    /** The manager owning the parameters; open per-step sub-managers from it so they share its device. */
    public NDManager manager() {
        return manager;
    }

    /** The trainable arrays in {@link HeadSpec#tensorSpecs} order; an optimizer updates them in place. */
    public NDList parameters() {
        return new NDList(parameters);
    }

    public long parameterCount() {
        return spec.parameterCount(labelCount);
    }

    /** Inference logits (no dropout), attached to {@code features}' manager. */
    public NDArray logits(NDArray features) {
        checkFeatures(features);
        if (spec.kind() == HeadKind.LINEAR) {
            return affine(features, 0);
        }
        return affine(Activation.relu(affine(features, 0)), 2);
    }

    private NDArray affine(NDArray input, int firstParameter) {
        return Linear.linear(input, parameters.get(firstParameter), parameters.get(firstParameter + 1))
                .singletonOrThrow();
    }

    private void checkFeatures(NDArray features) {
        Shape shape = features.getShape();
        if (shape.dimension() != 2 || shape.get(1) != spec.inputDim()) {
            throw new IllegalArgumentException("head input must be [batch, " + spec.inputDim() + "], got " + shape);
        }
    }

    /**
     * Weighted mean softmax cross-entropy, {@code sum_i w_i * CE_i / sum_i w_i} (PyTorch's
     * {@code cross_entropy(weight=...)} when w_i is the class weight of example i), and its
     * gradient for every parameter, in parameter order. Arrays are attached to {@code features}' manager.
     *
     * @param features [batch, inputDim]
     * @param labels label index per row
     * @param lossWeights non-negative weight per row, not all zero
     * @param dropoutRng source of the dropout mask (MLP with dropout only); drawn in Java so a
     *     checkpointed generator state reproduces the mask exactly
     */
    public LossAndGradients lossAndGradients(NDArray features, int[] labels, float[] lossWeights,
            DeterministicRandom dropoutRng) {
        checkFeatures(features);
        int batch = (int) features.getShape().get(0);
        if (labels.length != batch || lossWeights.length != batch) {
            throw new IllegalArgumentException("batch has " + batch + " rows but " + labels.length + " labels and "
                    + lossWeights.length + " loss weights");
        }
        double weightSum = 0;
        for (float w : lossWeights) {
            weightSum += w;
        }
        if (!(weightSum > 0) || Double.isInfinite(weightSum)) {
            throw new IllegalArgumentException("loss weights must sum to a positive finite value, got " + weightSum);
        }
        float[] target = new float[batch * labelCount];
        float[] rowWeight = new float[batch];
        for (int i = 0; i < batch; i++) {
            if (labels[i] < 0 || labels[i] >= labelCount) {
                throw new IllegalArgumentException("label index at row " + i + " must be in [0, " + labelCount
                        + "), got " + labels[i]);
            }
            rowWeight[i] = (float) (lossWeights[i] / weightSum);
            target[i * labelCount + labels[i]] = rowWeight[i];
        }
        NDManager scope = features.getManager();
        NDArray targetArray = scope.create(target, new Shape(batch, labelCount));
        NDArray rowWeightArray = scope.create(rowWeight, new Shape(batch, 1));

        if (spec.kind() == HeadKind.LINEAR) {
            NDArray logits = affine(features, 0);
            NDArray logProbabilities = logits.logSoftmax(1);
            float loss = -logProbabilities.mul(targetArray).sum().getFloat();
            NDArray logitGradient = logProbabilities.exp().muli(rowWeightArray).subi(targetArray);
            NDList gradients = new NDList(logitGradient.transpose().matMul(features), logitGradient.sum(new int[] {0}));
            return new LossAndGradients(loss, gradients);
        }

        NDArray hidden = Activation.relu(affine(features, 0));
        NDArray dropoutScale = null;
        NDArray hiddenOut = hidden;
        if (spec.dropout() > 0f) {
            dropoutScale = scope.create(dropoutMask(batch * spec.hiddenSize(), dropoutRng),
                    new Shape(batch, spec.hiddenSize()));
            hiddenOut = hidden.mul(dropoutScale);
        }
        NDArray logits = affine(hiddenOut, 2);
        NDArray logProbabilities = logits.logSoftmax(1);
        float loss = -logProbabilities.mul(targetArray).sum().getFloat();
        NDArray logitGradient = logProbabilities.exp().muli(rowWeightArray).subi(targetArray);
        NDArray outputWeightGradient = logitGradient.transpose().matMul(hiddenOut);
        NDArray outputBiasGradient = logitGradient.sum(new int[] {0});
        NDArray hiddenGradient = logitGradient.matMul(parameters.get(2));
        if (dropoutScale != null) {
            hiddenGradient.muli(dropoutScale);
        }
        // hidden = relu(a) >= 0, so sign(hidden) is exactly relu's derivative 1[a > 0]
        hiddenGradient.muli(hidden.sign());
        NDList gradients = new NDList(hiddenGradient.transpose().matMul(features), hiddenGradient.sum(new int[] {0}),
                outputWeightGradient, outputBiasGradient);
        return new LossAndGradients(loss, gradients);
    }

    private float[] dropoutMask(int size, DeterministicRandom rng) {
        Objects.requireNonNull(rng, "dropoutRng is required for an MLP head with dropout");
        float keep = 1f - spec.dropout();
        float scale = 1f / keep;
        float[] mask = new float[size];
        for (int i = 0; i < size; i++) {
            mask[i] = rng.nextFloat() < keep ? scale : 0f;
        }
        return mask;
    }

    /**
     * Adds output rows for new labels. Old rows keep their exact weights; new rows start at zero
     * so the new label starts with the same logit for every input.
     */
    public void growLabels(int newLabelCount) {
        if (newLabelCount < labelCount) {
            throw new IllegalArgumentException("a head never shrinks: labelCount " + labelCount + " -> " + newLabelCount);
        }
        if (newLabelCount == labelCount) {
            return;
        }
        List<TensorSpec> grown = spec.tensorSpecs(newLabelCount);
        for (int i = grown.size() - 2; i < grown.size(); i++) {
            NDArray old = parameters.get(i);
            float[] oldValues = old.toFloatArray();
            float[] values = new float[(int) grown.get(i).elementCount()];
            System.arraycopy(oldValues, 0, values, 0, oldValues.length);
            parameters.set(i, toArray(manager, new NamedTensor(grown.get(i).name(), grown.get(i).shape(), values)));
            old.close();
        }
        labelCount = newLabelCount;
    }

    /** A heap copy of every parameter, in parameter order. */
    public List<NamedTensor> exportTensors() {
        List<NamedTensor> tensors = new ArrayList<>(parameters.size());
        for (NDArray parameter : parameters) {
            tensors.add(new NamedTensor(parameter.getName(), parameter.getShape().getShape(), parameter.toFloatArray()));
        }
        return tensors;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** The loss as a number and one gradient array per parameter, attached to the step's manager. */
    public record LossAndGradients(float loss, NDList gradients) {
    }
}
