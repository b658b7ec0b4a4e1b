package dev.streamtune.model.hybrid;

import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A wide-and-deep linear classifier: softmax regression over the frozen backbone's pooled embedding
 * (the deep part, computed once per example by the featurizer) concatenated with TF-IDF weighted
 * hashed word uni- and bigrams of the whole text (the wide part, {@link LexicalHasher}), the lexical
 * signal a 384-d sentence embedding of the first 128 tokens loses. Each half is L2-normalised and
 * multiplied by its scale; a scale of 0 switches that half off, which is how the trainer's
 * model selection can also choose a lexical-only or an embedding-only model.
 *
 * <p>The lexical features of a text: for each term, {@code (1 + ln count) * idf[bucket]}, with
 * {@code bucket = hash & (buckets - 1)} and {@code idf} the smoothed inverse document frequency
 * over the training examples ({@code ln((1 + n) / (1 + df)) + 1}, as scikit-learn's TF-IDF), then
 * L2-normalised. Evaluated in plain Java: one prediction costs a few thousand multiply-adds.
 * Immutable and thread-safe once built.
 */
public final class HybridClassifier {
    public static final String LEXICAL_WEIGHT = "hybrid.lexical.weight";
    public static final String IDF = "hybrid.lexical.idf";
    public static final String DENSE_WEIGHT = "hybrid.dense.weight";
    public static final String BIAS = "hybrid.bias";
    /** Two values: the lexical half's scale, then the embedding half's. */
    public static final String SCALES = "hybrid.scales";
    /** At most this many lexical buckets (2^22): a larger model would not travel as a version. */
    public static final int MAX_BUCKETS = 1 << 22;

    private final int buckets;
    private final int dim;
    private final int labels;
    private final float[] lexicalWeight; // [labels][buckets], row-major
    private final float[] idf;           // [buckets]
    private final float[] denseWeight;   // [labels][dim], row-major
    private final float[] bias;          // [labels]
    private final float lexicalScale;
    private final float denseScale;

    public HybridClassifier(int buckets, int dim, int labels, float[] lexicalWeight, float[] idf, float[] denseWeight,
            float[] bias, float lexicalScale, float denseScale) {
        checkShape(buckets, dim, labels);
        this.buckets = buckets;
        this.dim = dim;
        this.labels = labels;
        this.lexicalWeight = check(LEXICAL_WEIGHT, lexicalWeight, (long) labels * buckets);
        this.idf = check(IDF, idf, buckets);
        this.denseWeight = check(DENSE_WEIGHT, denseWeight, (long) labels * dim);
        this.bias = check(BIAS, bias, labels);
        if (!(lexicalScale >= 0) || !(denseScale >= 0) || Float.isInfinite(lexicalScale) || Float.isInfinite(denseScale)) {
            throw new IllegalArgumentException(SCALES + " must be finite and >= 0, got " + lexicalScale + ", " + denseScale);
        }
        this.lexicalScale = lexicalScale;
        this.denseScale = denseScale;
    }

    /** The tensors of a delta, in this order. */
    public static List<TensorSpec> tensorSpecs(int buckets, int dim, int labels) {
        checkShape(buckets, dim, labels);
        return List.of(new TensorSpec(LEXICAL_WEIGHT, new long[] {labels, buckets}),
                new TensorSpec(IDF, new long[] {buckets}),
                new TensorSpec(DENSE_WEIGHT, new long[] {labels, dim}),
                new TensorSpec(BIAS, new long[] {labels}),
                new TensorSpec(SCALES, new long[] {2}));
    }

    /** @param tensors in {@link #tensorSpecs} order, shapes already checked (as {@code DeltaCodec.decode} does) */
    public static HybridClassifier fromTensors(List<NamedTensor> tensors) {
        if (tensors.size() != 5) {
            throw new IllegalArgumentException("a hybrid delta holds 5 tensors, got " + tensors.size());
        }
        long[] shape = tensors.get(0).shape();
        int labels = (int) shape[0];
        int buckets = (int) shape[1];
        int dim = (int) tensors.get(2).shape()[1];
        float[] scales = tensors.get(4).valuesView();
        return new HybridClassifier(buckets, dim, labels, tensors.get(0).valuesView(), tensors.get(1).valuesView(),
                tensors.get(2).valuesView(), tensors.get(3).valuesView(), scales[0], scales[1]);
    }

    public List<NamedTensor> toTensors() {
        List<NamedTensor> tensors = new ArrayList<>(5);
        tensors.add(new NamedTensor(LEXICAL_WEIGHT, new long[] {labels, buckets}, lexicalWeight));
        tensors.add(new NamedTensor(IDF, new long[] {buckets}, idf));
        tensors.add(new NamedTensor(DENSE_WEIGHT, new long[] {labels, dim}, denseWeight));
        tensors.add(new NamedTensor(BIAS, new long[] {labels}, bias));
        tensors.add(new NamedTensor(SCALES, new long[] {2}, new float[] {lexicalScale, denseScale}));
        return tensors;
    }

    public int buckets() {
        return buckets;
    }

    public int dim() {
        return dim;
    }

    public int labelCount() {
        return labels;
    }

    public float lexicalScale() {
        return lexicalScale;
    }

    public float denseScale() {
        return denseScale;
    }

    public long parameterCount() {
        return (long) labels * (buckets + dim + 1);
    }

    /** Class probabilities for one example: its pooled embedding and its lexical terms. */
    public float[] probabilities(float[] pooled, LexicalTerms terms) {
        return softmax(logits(pooled, terms));
    }

    public float[] logits(float[] pooled, LexicalTerms terms) {
        Objects.requireNonNull(pooled, "pooled");
        Objects.requireNonNull(terms, "terms");
        if (pooled.length != dim) {
            throw new IllegalArgumentException("pooled embedding must have " + dim + " values, got " + pooled.length);
        }
        SparseRow lexical = lexicalRow(terms, idf, buckets, lexicalScale);
        float denseFactor = denseScale / norm(pooled);
        float[] logits = bias.clone();
        for (int k = 0; k < labels; k++) {
            double z = logits[k];
            int lexBase = k * buckets;
            for (int j = 0; j < lexical.size(); j++) {
                z += lexicalWeight[lexBase + lexical.index(j)] * lexical.value(j);
            }
            if (denseFactor != 0) {
                int denseBase = k * dim;
                double d = 0;
                for (int j = 0; j < dim; j++) {
                    d += denseWeight[denseBase + j] * pooled[j];
                }
                z += d * denseFactor;
            }
            logits[k] = (float) z;
        }
        return logits;
    }

    /** A text's lexical features under {@code idf}: bucket indices and L2-normalised TF-IDF values times {@code scale}. */
    public static SparseRow lexicalRow(LexicalTerms terms, float[] idf, int buckets, float scale) {
        int[] hashes = terms.hashesView();
        int[] counts = terms.countsView();
        int n = scale == 0 ? 0 : hashes.length;
        int[] index = new int[n];
        float[] value = new float[n];
        double squares = 0;
        int mask = buckets - 1;
        for (int i = 0; i < n; i++) {
            int bucket = hashes[i] & mask;
            float v = (float) ((1 + Math.log(counts[i])) * idf[bucket]);
            index[i] = bucket;
            value[i] = v;
            squares += (double) v * v;
        }
        if (squares > 0) {
            float factor = (float) (scale / Math.sqrt(squares));
            for (int i = 0; i < n; i++) {
                value[i] *= factor;
            }
        }
        return new SparseRow(index, value);
    }

    /** Smoothed IDF per bucket from document frequencies over {@code documents} texts. */
    public static float[] idf(int[] documentFrequency, int documents) {
        float[] idf = new float[documentFrequency.length];
        for (int b = 0; b < idf.length; b++) {
            idf[b] = (float) (Math.log((1.0 + documents) / (1.0 + documentFrequency[b])) + 1.0);
        }
        return idf;
    }

    /** The number of lexical buckets for a task with {@code labels} outputs: 2^18, fewer for many labels. */
    public static int defaultBuckets(int labels) {
        int budget = (1 << 21) / Math.max(1, labels);
        int buckets = Integer.highestOneBit(Math.max(1 << 12, budget));
        return Math.min(1 << 18, buckets);
    }

    /** The sparse lexical features of one example. */
    public record SparseRow(int[] indices, float[] values) {
        public int size() {
            return indices.length;
        }

        public int index(int j) {
            return indices[j];
        }

        public float value(int j) {
            return values[j];
        }
    }

    static float norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return s > 0 ? (float) Math.sqrt(s) : 1f;
    }

    static float[] softmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float z : logits) {
            max = Math.max(max, z);
        }
        double sum = 0;
        float[] p = new float[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= (float) sum;
        }
        return p;
    }

    private static void checkShape(int buckets, int dim, int labels) {
        if (buckets < 1 || buckets > MAX_BUCKETS || Integer.bitCount(buckets) != 1) {
            throw new IllegalArgumentException("lexical_buckets must be a power of two in [1, " + MAX_BUCKETS + "], got "
                    + buckets);
        }
        if (dim < 1) {
            throw new IllegalArgumentException("embedding dim must be >= 1, got " + dim);
        }
        if (labels < 1) {
            throw new IllegalArgumentException("labels must be >= 1, got " + labels);
        }
    }

    private static float[] check(String name, float[] values, long expected) {
        Objects.requireNonNull(values, name);
        if (values.length != expected) {
            throw new IllegalArgumentException(name + " must have " + expected + " values, got " + values.length);
        }
        return values;
    }
}
