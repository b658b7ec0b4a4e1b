package dev.streamtune.trainer.hybrid;

import dev.streamtune.model.hybrid.HybridClassifier;
import dev.streamtune.model.hybrid.LexicalTerms;
import java.util.List;

/**
 * How {@link HybridTrainer} scores the configurations it chooses between: the three feature sets, a
 * held-out validation example, the classifier a fitted parameter vector is, and its macro-F1 on
 * the validation split.
 */
final class HybridScoring {
    private HybridScoring() {
    }

    /** The three feature sets a fit chooses between: {lexical scale, embedding scale}. */
    enum FeatureSet {
        BOTH("lexical+embedding", 1, 1), LEXICAL("lexical", 1, 0), EMBEDDING("embedding", 0, 1);

        final String label;
        final float lexicalScale;
        final float denseScale;

        FeatureSet(String label, float lexicalScale, float denseScale) {
            this.label = label;
            this.lexicalScale = lexicalScale;
            this.denseScale = denseScale;
        }
    }

    /** A validation example: its gold label, pooled embedding and lexical terms. */
    record Held(String label, float[] pooled, LexicalTerms terms) {
    }

    /** The classifier that {@code theta} (lexical weights, dense weights, bias) of feature set {@code set} is. */
    static HybridClassifier classifier(float[] theta, float[] idf, FeatureSet set, int k, int buckets, int dim) {
        float[] lexicalWeight = java.util.Arrays.copyOfRange(theta, 0, k * buckets);
        float[] denseWeight = java.util.Arrays.copyOfRange(theta, k * buckets, k * (buckets + dim));
        float[] bias = java.util.Arrays.copyOfRange(theta, k * (buckets + dim), k * (buckets + dim + 1));
        return new HybridClassifier(buckets, dim, k, lexicalWeight, idf, denseWeight, bias, set.lexicalScale,
                set.denseScale);
    }

    /** Macro-F1 of {@code model} on {@code heldOut}, over the classes that occur or are predicted. */
    static double macroF1(HybridClassifier model, List<Held> heldOut, List<String> labels) {
        int k = labels.size();
        long[] tp = new long[k];
        long[] fp = new long[k];
        long[] fn = new long[k];
        for (Held held : heldOut) {
            int gold = labels.indexOf(held.label());
            float[] p = model.probabilities(held.pooled(), held.terms());
            int predicted = 0;
            for (int j = 1; j < k; j++) {
                if (p[j] > p[predicted]) {
                    predicted = j;
                }
            }
            if (predicted == gold) {
                tp[gold]++;
            } else {
                fp[predicted]++;
                fn[gold]++;
            }
        }
        double sum = 0;
        int classes = 0;
        for (int j = 0; j < k; j++) {
            if (tp[j] + fn[j] == 0 && fp[j] == 0) {
                continue; // a class absent from the held-out examples and never predicted
            }
            classes++;
            double denominator = 2.0 * tp[j] + fp[j] + fn[j];
            sum += denominator == 0 ? 0 : 2.0 * tp[j] / denominator;
        }
        return classes == 0 ? 0 : sum / classes;
    }

    static String fmt(double c) {
        return c == Math.rint(c) ? Long.toString((long) c) : Double.toString(c);
    }
}
