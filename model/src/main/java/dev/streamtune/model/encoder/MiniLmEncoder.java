package dev.streamtune.model.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.norm.LayerNorm;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.TokenizedText;
import dev.streamtune.model.delta.NamedTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT encoder (all-MiniLM-L6-v2: 6 layers, hidden 384, 12 heads, GELU, post-LayerNorm) on DJL
 * NDArrays, with weights imported from the backbone's ONNX file, for training through it: the
 * weights are frozen (they never require a gradient), while the gradient flows through the
 * activations into whatever a technique trains (prompts, LoRA factors, its own copies of biases
 * or layers, handed in through an {@link EncoderAdapter}).
 *
 * <p>Written as functions of the weight arrays rather than as DJL {@code Block}s, because the
 * techniques need to splice into the middle of the pass (prepend to the embeddings, add to one
 * projection, replace a bias), which a fixed Block tree would only allow by copying it.
 *
 * <p>Every intermediate array is attached to the manager of the input it is computed from (the
 * caller's per-step manager); only the weights live in this encoder's own manager. Read-only
 * after construction and shared by every technique built on it.
 */
public final class MiniLmEncoder implements AutoCloseable {

    public static final int MINILM_HEADS = 12;
    /** {@code torch.finfo(float32).min}: what the ONNX export adds to attention scores at padding. */
    private static final float MASKED_SCORE = -Float.MAX_VALUE;

    private final NDManager manager;
    private final Map<String, NDArray> weights;
    private final EncoderArchitecture architecture;
    private final long parameterCount;
    private final String backboneId;

    private MiniLmEncoder(NDManager manager, Map<String, NDArray> weights, EncoderArchitecture architecture,
                          long parameterCount, String backboneId) {
        this.manager = manager;
        this.weights = weights;
        this.architecture = architecture;
        this.parameterCount = parameterCount;
        this.backboneId = backboneId;
    }

    /** Imports the backbone's ONNX weights into a sub-manager of {@code parent} (its device is used). */
    public static MiniLmEncoder load(Backbone backbone, int heads, NDManager parent) {
        return fromWeights(EncoderWeights.load(backbone, heads), backbone.id(), parent);
    }

    public static MiniLmEncoder fromWeights(EncoderWeights imported, String backboneId, NDManager parent) {
        EncoderArchitecture architecture = imported.architecture();
        NDManager manager = parent.newSubManager();
        try {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            long count = 0;
            for (String name : expectedNames(architecture)) {
                NamedTensor tensor = imported.require(name);
                NDArray array = manager.create(tensor.valuesView(), new Shape(tensor.shape()));
                array.setName(name);
                arrays.put(name, array);
                count += tensor.valuesView().length;
            }
            checkShapes(arrays, architecture);
            return new MiniLmEncoder(manager, Collections.unmodifiableMap(arrays), architecture, count, backboneId);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Every weight the forward pass reads, in a fixed order (embeddings, then layer by layer). */
    public static List<String> expectedNames(EncoderArchitecture architecture) {
        ArrayList<String> names = new ArrayList<>(List.of(EncoderWeights.WORD_EMBEDDINGS,
                EncoderWeights.POSITION_EMBEDDINGS, EncoderWeights.TOKEN_TYPE_EMBEDDINGS,
                EncoderWeights.EMBEDDINGS_NORM + ".weight", EncoderWeights.EMBEDDINGS_NORM + ".bias"));
        for (int layer = 0; layer < architecture.layers(); layer++) {
            names.addAll(layerParameterNames(layer));
        }
        return names;
    }

    /** The 16 weights of one transformer layer. */
    public static List<String> layerParameterNames(int layer) {
        ArrayList<String> names = new ArrayList<>();
        for (String dense : List.of(Dense.QUERY, Dense.KEY, Dense.VALUE, Dense.ATTENTION_OUTPUT, Dense.INTERMEDIATE,
                Dense.OUTPUT)) {
            names.add(EncoderWeights.layerName(layer, dense + ".weight"));
            names.add(EncoderWeights.layerName(layer, dense + ".bias"));
        }
        for (String norm : List.of(Dense.ATTENTION_NORM, Dense.OUTPUT_NORM)) {
            names.add(EncoderWeights.layerName(layer, norm + ".weight"));
            names.add(EncoderWeights.layerName(layer, norm + ".bias"));
        }
        return names;
    }

    private static void checkShapes(Map<String, NDArray> arrays, EncoderArchitecture a) {
        for (int layer = 0; layer < a.layers(); layer++) {
            for (String dense : List.of(Dense.QUERY, Dense.KEY, Dense.VALUE, Dense.ATTENTION_OUTPUT)) {
                requireShape(arrays, EncoderWeights.layerName(layer, dense + ".weight"), new Shape(a.hidden(), a.hidden()));
            }
            requireShape(arrays, EncoderWeights.layerName(layer, Dense.INTERMEDIATE + ".weight"),
                    new Shape(a.hidden(), a.intermediate()));
            requireShape(arrays, EncoderWeights.layerName(layer, Dense.OUTPUT + ".weight"),
                    new Shape(a.intermediate(), a.hidden()));
        }
    }

    private static void requireShape(Map<String, NDArray> arrays, String name, Shape expected) {
        Shape actual = arrays.get(name).getShape();
        if (!actual.equals(expected)) {
            throw new IllegalStateException("encoder weight '" + name + "' has shape " + actual + ", expected "
                    + expected + " ([in, out])");
        }
    }

    public EncoderArchitecture architecture() {
        return architecture;
    }

    public String backboneId() {
        return backboneId;
    }

    /** Number of weights in the encoder (all frozen): the denominator of a technique's trainable fraction. */
    public long parameterCount() {
        return parameterCount;
    }

    public List<String> parameterNames() {
        return List.copyOf(weights.keySet());
    }

    /** A frozen weight; never modify it (techniques copy what they train). */
    public NDArray frozenParameter(String name) {
        NDArray array = weights.get(name);
        if (array == null) {
            throw new IllegalArgumentException("the encoder has no parameter '" + name + "'");
        }
        return array;
    }

    /** Word-piece vectors [rows, length, hidden] for int64 ids [rows, length], attached to the ids' manager. */
    public NDArray wordEmbeddings(NDArray ids) {
        return embedding(ids, weights.get(EncoderWeights.WORD_EMBEDDINGS));
    }

    /** Heap copies of the word-piece vectors of {@code ids}, row after row ([ids.length * hidden]). */
    public float[] wordVectors(int[] ids) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= architecture.vocabulary()) {
                throw new IllegalArgumentException("token id at " + i + " must be in [0, " + architecture.vocabulary()
                        + "), got " + ids[i]);
            }
        }
        try (NDManager step = manager.newSubManager()) {
            long[] wide = Arrays.stream(ids).asLongStream().toArray();
            return HostReadback.floats(wordEmbeddings(step.create(wide)));
        }
    }

    private static NDArray embedding(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * The last hidden state [rows, length, hidden] for input vectors (word-piece vectors, possibly
     * with prompt vectors prepended) with position and token-type embeddings added here.
     *
     * @param inputVectors [rows, length, hidden] in the step manager
     * @param mask         [rows, length] float, 1 for tokens to attend to and 0 for padding
     * @param adapter      the technique's hooks ({@link EncoderAdapter#NONE} for the frozen encoder)
     */
    public NDArray forward(NDArray inputVectors, NDArray mask, EncoderAdapter adapter) {
        Shape shape = inputVectors.getShape();
        if (shape.dimension() != 3 || shape.get(2) != architecture.hidden()) {
            throw new IllegalArgumentException("encoder input must be [rows, length, " + architecture.hidden()
                    + "], got " + shape);
        }
        int rows = (int) shape.get(0);
        int length = (int) shape.get(1);
        if (length > architecture.maxPositions()) {
            throw new IllegalArgumentException("encoder input has " + length + " positions, more than the "
                    + architecture.maxPositions() + " its position embeddings cover");
        }
        if (!mask.getShape().equals(new Shape(rows, length))) {
            throw new IllegalArgumentException("attention mask must be [" + rows + ", " + length + "], got "
                    + mask.getShape());
        }
        NDManager step = inputVectors.getManager();
        NDArray positionIds = step.arange(0, length, 1, DataType.INT64);
        NDArray tokenTypeIds = step.zeros(new Shape(1, 1), DataType.INT64);
        NDArray embedded = inputVectors
                .add(embedding(positionIds, param(EncoderWeights.POSITION_EMBEDDINGS, adapter)))
                .add(embedding(tokenTypeIds, param(EncoderWeights.TOKEN_TYPE_EMBEDDINGS, adapter)));
        NDArray hidden = layerNorm(embedded, EncoderWeights.EMBEDDINGS_NORM, adapter);
        // [rows, 1, 1, length]: 0 where attended, the most negative float at padding
        NDArray scoreMask = mask.neg().add(1f).mul(MASKED_SCORE).reshape(rows, 1, 1, length);
        for (int layer = 0; layer < architecture.layers(); layer++) {
            hidden = layer(layer, hidden, scoreMask, adapter);
        }
        return hidden;
    }

    private NDArray layer(int layer, NDArray input, NDArray scoreMask, EncoderAdapter adapter) {
        Shape shape = input.getShape();
        long rows = shape.get(0);
        long length = shape.get(1);
        int heads = architecture.heads();
        int headSize = architecture.headSize();
        NDArray query = splitHeads(dense(layer, Dense.QUERY, input, adapter), heads, headSize);
        NDArray key = splitHeads(dense(layer, Dense.KEY, input, adapter), heads, headSize);
        NDArray value = splitHeads(dense(layer, Dense.VALUE, input, adapter), heads, headSize);
        NDArray scores = query.matMul(key.transpose(0, 1, 3, 2))
                .div(constant(input, (float) Math.sqrt(headSize))).add(scoreMask);
        NDArray context = scores.softmax(-1).matMul(value).transpose(0, 2, 1, 3)
                .reshape(rows, length, architecture.hidden());
        NDArray attended = layerNorm(dense(layer, Dense.ATTENTION_OUTPUT, context, adapter).add(input),
                EncoderWeights.layerName(layer, Dense.ATTENTION_NORM), adapter);
        // exact (erf) GELU: PyTorch's default, and what the ONNX graph computes
        NDArray intermediate = ai.djl.nn.Activation.gelu(dense(layer, Dense.INTERMEDIATE, attended, adapter));
        return layerNorm(dense(layer, Dense.OUTPUT, intermediate, adapter).add(attended),
                EncoderWeights.layerName(layer, Dense.OUTPUT_NORM), adapter);
    }

    private static NDArray splitHeads(NDArray x, int heads, int headSize) {
        Shape shape = x.getShape();
        return x.reshape(shape.get(0), shape.get(1), heads, headSize).transpose(0, 2, 1, 3);
    }

    private NDArray dense(int layer, String dense, NDArray input, EncoderAdapter adapter) {
        String name = EncoderWeights.layerName(layer, dense);
        NDArray output = input.matMul(param(name + ".weight", adapter)).add(param(name + ".bias", adapter));
        NDArray residual = adapter.denseResidual(name, input);
        return residual == null ? output : output.add(residual);
    }

    private NDArray layerNorm(NDArray input, String name, EncoderAdapter adapter) {
        NDList normed = LayerNorm.layerNorm(input, new Shape(architecture.hidden()), param(name + ".weight", adapter),
                param(name + ".bias", adapter), architecture.layerNormEps());
        return normed.singletonOrThrow();
    }

    private NDArray param(String name, EncoderAdapter adapter) {
        NDArray frozen = weights.get(name);
        return adapter.parameter(name, frozen);
    }

    /**
     * The mean of the token vectors where {@code mask} is 1 ([rows, hidden]), the sentence-transformers
     * pooling; the count is floored at 1e-9 like theirs.
     */
    public static NDArray meanPool(NDArray hidden, NDArray mask) {
        NDArray weights = mask.expandDims(2);
        return hidden.mul(weights).sum(new int[] {1}).div(weights.sum(new int[] {1}).maximum(1e-9f));
    }

    /** Rows scaled to unit length (norm floored at 1e-12, as {@code torch.nn.functional.normalize}). */
    public static NDArray l2Normalize(NDArray rows) {
        return rows.div(rows.norm(new int[] {1}, true).maximum(constant(rows, 1e-12f)));
    }

    /**
     * A scalar operand for an op that autograd may record, kept in {@code alongside}'s manager until
     * that closes. Why not DJL's {@code x.div(float)}: it wraps the number in a tensor over a direct
     * buffer (PyTorch's {@code from_blob}, no copy) and closes it as soon as the op returns, but
     * autograd keeps that tensor for the backward pass, so a garbage collection in between frees the
     * buffer under it and the gradients turn to garbage (NaN), depending on GC timing.
     */
    public static NDArray constant(NDArray alongside, float value) {
        return alongside.getManager().create(value);
    }

    /**
     * Frozen sentence embeddings of tokenized texts, padded into one batch: the DJL counterpart of
     * {@link dev.streamtune.model.SentenceEmbedder}, which the parity test holds it to.
     */
    public float[][] embed(List<TokenizedText> texts, int maxTokens) {
        PaddedTokens tokens = PaddedTokens.of(texts, maxTokens);
        try (NDManager step = manager.newSubManager()) {
            NDArray mask = tokens.maskArray(step);
            NDArray hidden = forward(wordEmbeddings(tokens.idsArray(step)), mask, EncoderAdapter.NONE);
            float[] flat = HostReadback.floats(l2Normalize(meanPool(hidden, mask)));
            float[][] result = new float[tokens.rows()][architecture.hidden()];
            for (int r = 0; r < tokens.rows(); r++) {
                System.arraycopy(flat, r * architecture.hidden(), result[r], 0, architecture.hidden());
            }
            return result;
        }
    }

    /** The manager holding the weights; per-step managers should be opened from it (same device). */
    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Sub-layer names inside {@code encoder.layer.N}. */
    public static final class Dense {
        public static final String QUERY = "attention.self.query";
        public static final String KEY = "attention.self.key";
        public static final String VALUE = "attention.self.value";
        public static final String ATTENTION_OUTPUT = "attention.output.dense";
        public static final String ATTENTION_NORM = "attention.output.LayerNorm";
        public static final String INTERMEDIATE = "intermediate.dense";
        public static final String OUTPUT = "output.dense";
        public static final String OUTPUT_NORM = "output.LayerNorm";

        private Dense() {
        }
    }
}
