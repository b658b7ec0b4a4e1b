package dev.streamtune.model.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.TensorSpec;
import dev.streamtune.model.technique.DeterministicRandom;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A linear or MLP head on DJL NDArrays, trained with a hand-written backward pass.
 *
 * <p>Why it is built this way: a head step is a few small matrix products, so what it costs is
 * the number of native calls, each of which costs tens of microseconds through DJL's JNI layer.
 * So the step is written for few calls:
 * <ul>
 *   <li>each layer keeps its bias as the last column of an augmented weight {@code [W | b]} and
 *       its input gets a column of ones, so one matmul gives logits and one gives the weight and
 *       bias gradient together, and the optimizer updates one array per layer;
 *   <li>softmax, the loss and the logit gradient are computed in Java on the {@code batch x labels}
 *       logits (64 numbers for batch 32 and 2 labels), which replaces about eight native ops;
 *   <li>inputs are copied into reused direct buffers rather than fresh heap copies;
 *   <li>no autograd graph (a test checks the gradients against DJL's {@code GradientCollector}).
 * </ul>
 * Deltas and checkpoints see the conventional layout ({@link HeadSpec#tensorSpecs}: separate
 * weight and bias); the augmented layout is internal.
 *
 * <p>Every array a step creates is attached to the step manager it is given, so closing that
 * manager frees the step's native memory; parameters and their transposed views live in this
 * network's own manager.
 */
public final class HeadNetwork implements AutoCloseable {
    public static final String HIDDEN_WEIGHT = "hidden.weight";
    public static final String HIDDEN_BIAS = "hidden.bias";
    public static final String OUTPUT_WEIGHT = "output.weight";
    public static final String OUTPUT_BIAS = "output.bias";
    /** Internal names of the augmented {@code [W | b]} parameter arrays the optimizer sees. */
    public static final String HIDDEN_AUGMENTED = "hidden.weight_bias";
    public static final String OUTPUT_AUGMENTED = "output.weight_bias";

    private final HeadSpec spec;
    private final NDManager manager;
    /** Augmented parameters, one per layer (input layer first). */
    private final List<NDArray> layers = new ArrayList<>();
    /** {@code layers[i].transpose()}, views kept so a forward pass needs no transpose call. */
    private final List<NDArray> transposed = new ArrayList<>();
    /** MLP only: view of the output layer's weight columns without the bias column. */
    private NDArray outputWeightView;
    private final Map<Integer, NDArray> onesColumns = new HashMap<>();
    private final Staging inputStaging = new Staging();
    private final Staging gradientStaging = new Staging();
    private final Staging gradientTransposedStaging = new Staging();
    private final Staging maskStaging = new Staging();
    private int labelCount;

    private HeadNetwork(HeadSpec spec, int labelCount, NDManager manager) {
        this.spec = spec;
        this.labelCount = labelCount;
        this.manager = manager;
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

    /** A head holding exactly these tensors (delta layout), which must match {@code spec.tensorSpecs(labelCount)}. */
    public static HeadNetwork fromTensors(HeadSpec spec, int labelCount, List<NamedTensor> tensors, NDManager parent) {
        List<TensorSpec> expected = spec.tensorSpecs(labelCount);
        if (tensors.size() != expected.size()) {
            throw new IllegalArgumentException("a " + spec.kind() + " head has " + expected.size()
                    + " tensors " + expected + ", got " + tensors.size());
        }
        for (int i = 0; i < expected.size(); i++) {
            if (!tensors.get(i).spec().equals(expected.get(i))) {
                throw new IllegalArgumentException("head tensor " + i + " must be " + expected.get(i)
                        + ", got " + tensors.get(i).spec());
            }
        }
        HeadNetwork network = new HeadNetwork(spec, labelCount, parent.newSubManager());
        try {
            for (int i = 0; i < tensors.size(); i += 2) {
                String name = i + 2 < tensors.size() ? HIDDEN_AUGMENTED : OUTPUT_AUGMENTED;
                network.layers.add(network.toArray(augment(name, tensors.get(i), tensors.get(i + 1))));
            }
            network.refreshViews();
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
        return network;
    }

    /** {@code [W | b]}: rows of W, each followed by its bias. */
    static NamedTensor augment(String name, NamedTensor weight, NamedTensor bias) {
        int rows = (int) weight.shape()[0];
        int columns = (int) weight.shape()[1];
        float[] w = weight.valuesView();
        float[] b = bias.valuesView();
        float[] augmented = new float[rows * (columns + 1)];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(w, r * columns, augmented, r * (columns + 1), columns);
            augmented[r * (columns + 1) + columns] = b[r];
        }
        return new NamedTensor(name, new long[] {rows, columns + 1}, augmented);
    }

    /** Splits an augmented {@code [W | b]} tensor back into W and b under the given names. */
    public static List<NamedTensor> split(NamedTensor augmented, String weightName, String biasName) {
        int rows = (int) augmented.shape()[0];
        int columns = (int) augmented.shape()[1] - 1;
        float[] a = augmented.valuesView();
        float[] w = new float[rows * columns];
        float[] b = new float[rows];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(a, r * (columns + 1), w, r * columns, columns);
            b[r] = a[r * (columns + 1) + columns];
        }
        return List.of(new NamedTensor(weightName, new long[] {rows, columns}, w),
                new NamedTensor(biasName, new long[] {rows}, b));
    }

    private NDArray toArray(NamedTensor tensor) {
        NDArray array = manager.create(tensor.valuesView(), new Shape(tensor.shape()));
        array.setName(tensor.name());
        return array;
    }

    private void refreshViews() {
        transposed.forEach(NDArray::close);
        transposed.clear();
        for (NDArray layer : layers) {
            transposed.add(layer.transpose());
        }
        if (outputWeightView != null) {
            outputWeightView.close();
            outputWeightView = null;
        }
        if (spec.kind() == HeadKind.MLP) {
            outputWeightView = layers.get(1).get(new NDIndex(":, :{}", spec.hiddenSize()));
        }
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

    /**
     * The arrays an optimizer updates in place: one augmented {@code [W | b]} per layer, named
     * {@link #HIDDEN_AUGMENTED} / {@link #OUTPUT_AUGMENTED}. {@link #lossAndGradients} returns
     * gradients in the same order and layout.
     */
    public NDList parameters() {
        return new NDList(layers);
    }

    public long parameterCount() {
        return spec.parameterCount(labelCount);
    }

    /** Inference logits [rows, labelCount] (no dropout) for row-major {@code features}, on {@code stepManager}. */
    public NDArray logits(float[] features, int rows, NDManager stepManager) {
        try (NDArray input = augmentedInput(features, rows, stepManager)) {
            if (spec.kind() == HeadKind.LINEAR) {
                return input.matMul(transposed.get(0));
            }
            NDArray hidden = Activation.relu(input.matMul(transposed.get(0)));
            return hidden.concat(onesColumn(rows), 1).matMul(transposed.get(1));
        }
    }

    /**
     * Weighted mean softmax cross-entropy, {@code sum_i w_i * CE_i / sum_i w_i} (PyTorch's
     * {@code cross_entropy(weight=...)} when w_i is the class weight of example i), and its
     * gradient for every array of {@link #parameters()}, attached to {@code stepManager}.
     *
     * @param features row-major [rows, inputDim]
     * @param lossWeights non-negative weight per row, not all zero
     * @param dropoutRng source of the dropout mask (MLP with dropout only); drawn in Java so a
     *     checkpointed generator state reproduces the mask exactly
     */
    public LossAndGradients lossAndGradients(float[] features, int rows, int[] labels, float[] lossWeights,
            DeterministicRandom dropoutRng, NDManager stepManager) {
        if (labels.length != rows || lossWeights.length != rows) {
            throw new IllegalArgumentException("batch has " + rows + " rows but " + labels.length + " labels and "
                    + lossWeights.length + " loss weights");
        }
        double weightSum = 0;
        for (float w : lossWeights) {
            weightSum += w;
        }
        if (!(weightSum > 0) || Double.isInfinite(weightSum)) {
            throw new IllegalArgumentException("loss weights must sum to a positive finite value, got " + weightSum);
        }
        for (int i = 0; i < rows; i++) {
            if (labels[i] < 0 || labels[i] >= labelCount) {
                throw new IllegalArgumentException("label index at row " + i + " must be in [0, " + labelCount
                        + "), got " + labels[i]);
            }
        }
        // arrays made from staging buffers alias them on the CPU; closing them before returning
        // means no array outlives the buffer contents it was made from
        try (NDManager staged = stepManager.newSubManager()) {
            return lossAndGradients(features, rows, labels, lossWeights, weightSum, dropoutRng, stepManager, staged);
        }
    }

    private LossAndGradients lossAndGradients(float[] features, int rows, int[] labels, float[] lossWeights,
            double weightSum, DeterministicRandom dropoutRng, NDManager stepManager, NDManager staged) {
        NDArray input = augmentedInput(features, rows, staged);

        if (spec.kind() == HeadKind.LINEAR) {
            float[] logits = HostReadback.floats(input.matMul(transposed.get(0)));
            float loss = softmaxCrossEntropy(logits, rows, labels, lossWeights, weightSum);
            NDArray logitGradientT = upload(gradientTransposedStaging, transpose(logits, rows, labelCount),
                    new Shape(labelCount, rows), staged);
            return new LossAndGradients(loss, new NDList(attach(logitGradientT.matMul(input), stepManager)));
        }

        NDArray hidden = Activation.relu(input.matMul(transposed.get(0)));
        NDArray dropoutScale = null;
        if (spec.dropout() > 0f) {
            dropoutScale = upload(maskStaging, dropoutMask(rows * spec.hiddenSize(), dropoutRng),
                    new Shape(rows, spec.hiddenSize()), staged);
            hidden = hidden.mul(dropoutScale);
        }
        NDArray hiddenAugmented = hidden.concat(onesColumn(rows), 1);
        float[] logits = HostReadback.floats(hiddenAugmented.matMul(transposed.get(1)));
        float loss = softmaxCrossEntropy(logits, rows, labels, lossWeights, weightSum);
        NDArray logitGradient = upload(gradientStaging, logits, new Shape(rows, labelCount), staged);
        NDArray logitGradientT = upload(gradientTransposedStaging, transpose(logits, rows, labelCount),
                new Shape(labelCount, rows), staged);
        NDArray outputGradient = logitGradientT.matMul(hiddenAugmented);
        NDArray hiddenGradient = logitGradient.matMul(outputWeightView);
        // hidden = relu(a) * mask: d/da = mask * 1[a > 0], and sign(hidden) = 1[a > 0 and mask > 0]
        hiddenGradient.muli(hidden.sign());
        if (dropoutScale != null) {
            hiddenGradient.muli(dropoutScale);
        }
        NDArray inputGradient = hiddenGradient.transpose().matMul(input);
        return new LossAndGradients(loss, new NDList(attach(inputGradient, stepManager), attach(outputGradient, stepManager)));
    }

    /** Moves a result out of the staged sub-manager so it survives it (Java bookkeeping only, no native call). */
    private static NDArray attach(NDArray array, NDManager stepManager) {
        array.attach(stepManager);
        return array;
    }

    /**
     * Replaces {@code logits} (row-major rows x classes) with the gradient of the weighted mean
     * cross-entropy with respect to them, {@code w_i/W * (softmax_i - onehot_i)}, and returns the loss.
     */
    private static float softmaxCrossEntropy(float[] logits, int rows, int[] labels, float[] weights, double weightSum) {
        int classes = logits.length / rows;
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            int offset = r * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits[offset + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logits[offset + c] - max);
            }
            double logSum = max + Math.log(sum);
            double rowWeight = weights[r] / weightSum;
            loss += rowWeight * (logSum - logits[offset + labels[r]]);
            for (int c = 0; c < classes; c++) {
                double probability = Math.exp(logits[offset + c] - logSum);
                logits[offset + c] = (float) (rowWeight * (probability - (c == labels[r] ? 1 : 0)));
            }
        }
        return (float) loss;
    }

    private static float[] transpose(float[] matrix, int rows, int columns) {
        float[] result = new float[matrix.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                result[c * rows + r] = matrix[r * columns + c];
            }
        }
        return result;
    }

    private NDArray augmentedInput(float[] features, int rows, NDManager stepManager) {
        int dim = spec.inputDim();
        if ((long) rows * dim != features.length) {
            throw new IllegalArgumentException("head input must be [rows, " + dim + "]: " + rows + " rows need "
                    + (long) rows * dim + " values, got " + features.length);
        }
        FloatBuffer buffer = inputStaging.reserve(rows * (dim + 1));
        for (int r = 0; r < rows; r++) {
            buffer.put(features, r * dim, dim);
            buffer.put(1f);
        }
        return inputStaging.toArray(new Shape(rows, dim + 1), stepManager);
    }

    private static NDArray upload(Staging staging, float[] values, Shape shape, NDManager stepManager) {
        staging.reserve(values.length).put(values);
        return staging.toArray(shape, stepManager);
    }

    private NDArray onesColumn(int rows) {
        return onesColumns.computeIfAbsent(rows, r -> manager.ones(new Shape(r, 1)));
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
        int last = layers.size() - 1;
        NDArray old = layers.get(last);
        float[] oldValues = HostReadback.floats(old);
        long columns = old.getShape().get(1);
        float[] values = new float[Math.toIntExact(newLabelCount * columns)];
        System.arraycopy(oldValues, 0, values, 0, oldValues.length);
        layers.set(last, toArray(new NamedTensor(OUTPUT_AUGMENTED, new long[] {newLabelCount, columns}, values)));
        old.close();
        labelCount = newLabelCount;
        refreshViews();
    }

    /** A heap copy of every parameter in delta layout ({@link HeadSpec#tensorSpecs} order). */
    public List<NamedTensor> exportTensors() {
        List<NamedTensor> tensors = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            boolean hidden = i + 1 < layers.size();
            tensors.addAll(split(exportAugmented(layers.get(i)), hidden ? HIDDEN_WEIGHT : OUTPUT_WEIGHT,
                    hidden ? HIDDEN_BIAS : OUTPUT_BIAS));
        }
        return tensors;
    }

    private static NamedTensor exportAugmented(NDArray array) {
        return new NamedTensor(array.getName(), array.getShape().getShape(), HostReadback.floats(array));
    }

    @Override
    public void close() {
        manager.close();
    }

    /** The loss as a number and one gradient array per {@link #parameters()} entry, on the step's manager. */
    public record LossAndGradients(float loss, NDList gradients) {
    }

    /**
     * A reused direct buffer to hand values to the engine: a fresh heap array would be copied into
     * a newly allocated direct buffer on every call. On the CPU, PyTorch wraps this memory without
     * copying, so every array made from it is closed before the method that made it returns.
     */
    private static final class Staging {
        private ByteBuffer bytes = ByteBuffer.allocateDirect(0);
        private int floats;

        FloatBuffer reserve(int count) {
            if (bytes.capacity() < count * Float.BYTES) {
                bytes = ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder());
            }
            floats = count;
            bytes.clear();
            return bytes.asFloatBuffer();
        }

        NDArray toArray(Shape shape, NDManager stepManager) {
            ByteBuffer view = bytes.duplicate().order(ByteOrder.nativeOrder());
            view.position(0).limit(floats * Float.BYTES);
            return stepManager.create(view.slice().order(ByteOrder.nativeOrder()), shape, DataType.FLOAT32);
        }
    }
}
