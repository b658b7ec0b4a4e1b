package dev.streamtune.evaluator;

/**
 * One class's scores, computed one-vs-rest. Zero-division follows scikit-learn's {@code zero_division=0}:
 * precision of a class that is never predicted is 0, recall of a class with no true examples is 0, and F1 is 0
 * whenever precision + recall is 0.
 *
 * @param support how many examples truly belong to the class
 */
public record PerClassMetrics(String label, double precision, double recall, double f1, long support) {
    public PerClassMetrics {
        if (label == null) {
            throw new IllegalArgumentException("label must not be null");
        }
        if (support < 0) {
            throw new IllegalArgumentException("support must be >= 0, got " + support);
        }
    }
}
