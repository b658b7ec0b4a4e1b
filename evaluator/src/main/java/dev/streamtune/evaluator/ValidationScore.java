package dev.streamtune.evaluator;

/**
 * What the gate needs to know about one model version on the task's validation set: its macro-F1 and, for each
 * validation example in a fixed order, whether it was right and (when known) the index of its true label. Two
 * scores are comparable only when index i is the same example in both.
 *
 * <p>The true labels are what a first version needs: it is judged against the majority baseline on the same
 * examples ({@link MajorityBaseline}), whose per-example outcomes come from them. A champion/challenger pair needs
 * only the correctness, so {@code trueLabels} may be null there.
 *
 * @param trueLabels for each example, the index of its true label in the task's label order; null when not known
 */
public record ValidationScore(double macroF1, boolean[] correct, int[] trueLabels) {
    public ValidationScore {
        if (!(macroF1 >= 0 && macroF1 <= 1)) {
            throw new IllegalArgumentException("macroF1 must be in [0, 1], got " + macroF1);
        }
        if (correct == null) {
            throw new IllegalArgumentException("correct must not be null");
        }
        correct = correct.clone();
        if (trueLabels != null) {
            if (trueLabels.length != correct.length) {
                throw new IllegalArgumentException("trueLabels has " + trueLabels.length + " examples but correct has "
                        + correct.length + "; they must be the same examples");
            }
            trueLabels = trueLabels.clone();
            for (int i = 0; i < trueLabels.length; i++) {
                if (trueLabels[i] < 0) {
                    throw new IllegalArgumentException("trueLabels[" + i + "] = " + trueLabels[i] + " must be >= 0");
                }
            }
        }
    }

    /** A score without true labels: enough to pair with a champion, not to judge a first version. */
    public ValidationScore(double macroF1, boolean[] correct) {
        this(macroF1, correct, null);
    }

    public static ValidationScore of(ClassificationMetrics metrics) {
        return new ValidationScore(metrics.macroF1(), metrics.correctness(), metrics.trueLabels());
    }

    @Override
    public boolean[] correct() {
        return correct.clone();
    }

    /** A copy of the true label indices, or null when this score was built without them. */
    @Override
    public int[] trueLabels() {
        return trueLabels == null ? null : trueLabels.clone();
    }

    public boolean hasTrueLabels() {
        return trueLabels != null;
    }

    public int examples() {
        return correct.length;
    }
}
