package dev.streamtune.evaluator;

/** How a probability row becomes a predicted class; the one rule every metric here shares. */
public final class Predictions {
    private Predictions() {}

    /**
     * The index of the largest probability. Ties go to the lowest index, as {@code numpy.argmax} does, so
     * the scikit-learn cross-check and this code always agree on the predicted class.
     */
    public static int argmax(double[] probabilities) {
        if (probabilities == null || probabilities.length == 0) {
            throw new IllegalArgumentException("probabilities must hold at least one class, got "
                    + (probabilities == null ? "null" : "an empty row"));
        }
        int best = 0;
        for (int j = 1; j < probabilities.length; j++) {
            if (probabilities[j] > probabilities[best]) {
                best = j;
            }
        }
        return best;
    }
}
