package dev.streamtune.trainer.hybrid;

import dev.streamtune.model.hybrid.HybridClassifier;
import dev.streamtune.model.hybrid.LexicalTerms;
import dev.streamtune.trainer.TrainingExample;

/** The arithmetic a {@link HybridTrainer} fit prepares its data with: document frequencies, weights, samples. */
final class FitData {
    private FitData() {
    }

    static double[] shares(int[] truth, int k) {
        double[] shares = new double[k];
        for (int y : truth) {
            shares[y] += 1.0 / truth.length;
        }
        return shares;
    }

    static boolean shifted(double[] now, double[] then) {
        for (int j = 0; j < now.length; j++) {
            if (Math.abs(now[j] - then[j]) > HybridTrainer.SELECT_AGAIN_SHIFT) {
                return true;
            }
        }
        return false;
    }

    static void markBuckets(LexicalTerms terms, int mask, int[] documentFrequency) {
        int[] hashes = terms.hashes();
        int previous = -1;
        int[] seen = new int[hashes.length];
        for (int j = 0; j < hashes.length; j++) {
            seen[j] = hashes[j] & mask;
        }
        java.util.Arrays.sort(seen);
        for (int bucket : seen) {
            if (bucket != previous) {
                documentFrequency[bucket]++;
                previous = bucket;
            }
        }
    }

    static float[] unit(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        float factor = s > 0 ? (float) (1 / Math.sqrt(s)) : 1f;
        float[] out = new float[v.length];
        for (int j = 0; j < v.length; j++) {
            out[j] = v[j] * factor;
        }
        return out;
    }

    /** Per-example loss weights: the examples' own weights, times n / (k * count) of their class when balanced. */
    static float[] weights(int[] truth, int k, boolean balanced, Iterable<TrainingExample> examples) {
        float[] factors = balancedFactors(truth, k);
        float[] w = new float[truth.length];
        int i = 0;
        for (TrainingExample example : examples) {
            w[i] = example.weight() * (balanced ? factors[truth[i]] : 1f);
            i++;
        }
        return w;
    }

    /** scikit-learn's balanced class weights: n / (classes present * count of the class). */
    static float[] balancedFactors(int[] truth, int k) {
        long[] counts = new long[k];
        for (int y : truth) {
            counts[y]++;
        }
        int present = 0;
        for (long c : counts) {
            present += c > 0 ? 1 : 0;
        }
        float[] factors = new float[k];
        for (int j = 0; j < k; j++) {
            factors[j] = counts[j] == 0 ? 0f : (float) (truth.length / (double) (present * counts[j]));
        }
        return factors;
    }

    /** Evenly spaced indices of at most {@code size} of {@code n} examples; null when all of them fit. */
    static int[] sample(int n, int size) {
        if (n <= size) {
            return null;
        }
        int[] indices = new int[size];
        for (int j = 0; j < indices.length; j++) {
            indices[j] = (int) ((long) j * n / size);
        }
        return indices;
    }

    /** A refit's inputs: the IDF weights over {@code examples} and their rows. */
    record Prepared(float[] idf, Rows rows) {
    }

    /**
     * One pass over the retained examples: document frequencies over {@code buckets} (a power of two), then each
     * example's TF-IDF lexical row, its unit-length embedding, its label and its unweighted and balanced weights.
     */
    static Prepared prepare(java.util.Collection<TrainingExample> examples, int buckets, int k) {
        int n = examples.size();
        int[] documentFrequency = new int[buckets];
        int[] truth = new int[n];
        float[][] dense = new float[n][];
        LexicalTerms[] terms = new LexicalTerms[n];
        int i = 0;
        for (TrainingExample example : examples) {
            terms[i] = termsOf(example);
            markBuckets(terms[i], buckets - 1, documentFrequency);
            truth[i] = example.labelIndex();
            dense[i] = unit(example.features());
            i++;
        }
        float[] idf = HybridClassifier.idf(documentFrequency, n);
        HybridClassifier.SparseRow[] lexical = new HybridClassifier.SparseRow[n];
        for (i = 0; i < n; i++) {
            lexical[i] = HybridClassifier.lexicalRow(terms[i], idf, buckets, 1f);
        }
        return new Prepared(idf, new Rows(lexical, dense, truth, weights(truth, k, false, examples),
                weights(truth, k, true, examples)));
    }

    /** An example's terms; none for a record written before the lexical channel. */
    static LexicalTerms termsOf(TrainingExample example) {
        return example.terms() == null ? LexicalTerms.EMPTY : example.terms();
    }

    /** The rows of a fit: lexical and dense features, gold labels, unweighted and class-balanced weights. */
    record Rows(HybridClassifier.SparseRow[] lexical, float[][] dense, int[] truth, float[] unweighted,
            float[] balanced) {

        /** The rows at {@code indices}, their balanced weights recomputed over the sample's own class counts. */
        Rows sample(int[] indices, int k) {
            HybridClassifier.SparseRow[] sLexical = new HybridClassifier.SparseRow[indices.length];
            float[][] sDense = new float[indices.length][];
            int[] sTruth = new int[indices.length];
            float[] sUnweighted = new float[indices.length];
            for (int j = 0; j < indices.length; j++) {
                sLexical[j] = lexical[indices[j]];
                sDense[j] = dense[indices[j]];
                sTruth[j] = truth[indices[j]];
                sUnweighted[j] = unweighted[indices[j]];
            }
            float[] classWeights = balancedFactors(sTruth, k);
            float[] sBalanced = new float[indices.length];
            for (int j = 0; j < indices.length; j++) {
                sBalanced[j] = sUnweighted[j] * classWeights[sTruth[j]];
            }
            return new Rows(sLexical, sDense, sTruth, sUnweighted, sBalanced);
        }
    }
}
