package dev.streamtune.evaluator;

/**
 * What the gate needs to know about one model version on the task's validation set: its macro-F1 and, for each
 * validation example in a fixed order, whether it was right. Two scores are comparable only when index i is the
 * same example in both.
 */
public record ValidationScore(double macroF1, boolean[] correct) {
    public ValidationScore {
        if (!(macroF1 >= 0 && macroF1 <= 1)) {
            throw new IllegalArgumentException("macroF1 must be in [0, 1], got " + macroF1);
        }
        if (correct == null) {
            throw new IllegalArgumentException("correct must not be null");
        }
        correct = correct.clone();
    }

    public static ValidationScore of(ClassificationMetrics metrics) {
        return new ValidationScore(metrics.macroF1(), metrics.correctness());
    }

    @Override
    public boolean[] correct() {
        return correct.clone();
    }

    public int examples() {
        return correct.length;
    }
}
