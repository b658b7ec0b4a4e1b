package dev.streamtune.evaluator;

import java.util.BitSet;

/**
 * The trivial predictor a task's first version is judged against: it always predicts the most frequent true label
 * of the very validation examples it is scored on, ties to the lowest label index (the first in the task's label
 * order). It is fitted on those examples, so it is the strongest constant predictor there is for them: a version
 * that cannot beat it has learned nothing the label counts do not already say.
 *
 * <p>Its macro-F1 follows {@link ClassificationMetrics}' conventions, so it is comparable with the challenger's:
 * the mean F1 over the classes among the true or predicted labels, which here are the classes among the true labels
 * (the predicted one is one of them). The predicted class has precision s/n and recall 1, so F1 = 2s / (n + s) for
 * its s examples out of n; every other present class has F1 0.
 *
 * @param label   index of the class it predicts for every example; -1 when there are no examples
 * @param macroF1 its macro-F1 on the examples, in [0, 1]; 0 when there are none
 * @param correct for each example, in the same order, whether it was right (its true label is {@code label})
 */
public record MajorityBaseline(int label, double macroF1, boolean[] correct) {
    public MajorityBaseline {
        if (correct == null) {
            throw new IllegalArgumentException("correct must not be null");
        }
        correct = correct.clone();
    }

    /** The majority predictor for examples whose true label indices are {@code trueLabels}, in that order. */
    public static MajorityBaseline of(int[] trueLabels) {
        if (trueLabels == null) {
            throw new IllegalArgumentException("trueLabels must not be null");
        }
        int n = trueLabels.length;
        if (n == 0) {
            return new MajorityBaseline(-1, 0, new boolean[0]);
        }
        int classes = 0;
        for (int i = 0; i < n; i++) {
            if (trueLabels[i] < 0) {
                throw new IllegalArgumentException("trueLabels[" + i + "] = " + trueLabels[i] + " must be >= 0");
            }
            classes = Math.max(classes, trueLabels[i] + 1);
        }
        long[] support = new long[classes];
        BitSet present = new BitSet(classes);
        for (int truth : trueLabels) {
            support[truth]++;
            present.set(truth);
        }
        int majority = 0;
        for (int c = 1; c < classes; c++) {
            if (support[c] > support[majority]) {
                majority = c;
            }
        }
        boolean[] correct = new boolean[n];
        for (int i = 0; i < n; i++) {
            correct[i] = trueLabels[i] == majority;
        }
        double s = support[majority];
        double f1 = 2 * s / (n + s);
        return new MajorityBaseline(majority, f1 / present.cardinality(), correct);
    }

    @Override
    public boolean[] correct() {
        return correct.clone();
    }

    /** How many examples it gets right: the majority class's support. */
    public int rightCount() {
        int right = 0;
        for (boolean c : correct) {
            if (c) {
                right++;
            }
        }
        return right;
    }
}
