package dev.streamtune.evaluator;

import dev.streamtune.avro.ClassMetrics;
import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.Split;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scores of one model version on one labelled set: accuracy, macro-F1, per-class precision/recall/F1,
 * log-loss, expected calibration error and the confusion matrix, plus each example's correctness and true label
 * (which the paired McNemar test in {@link PromotionGate} and a first version's majority baseline need).
 *
 * <p>Conventions, chosen to match scikit-learn so the numbers can be checked against it:
 * <ul>
 *   <li>The predicted class is the arg-max of the probability row, ties to the lowest index ({@link Predictions}).
 *   <li>Zero division gives 0 ({@code zero_division=0}): precision of a never-predicted class, recall of a class
 *       with no true examples, and F1 when precision + recall is 0.
 *   <li>Macro-F1 is the unweighted mean of per-class F1 over the classes that occur among the true <em>or</em> the
 *       predicted labels (scikit-learn's {@code f1_score(average="macro")} without {@code labels=}). A class absent
 *       from both carries no evidence either way, so it neither lowers nor raises the score; it still gets a
 *       per-class row (all zeros, support 0) and a confusion row and column.
 *   <li>Log-loss is the mean of {@code -ln(clip(p[i][y_i], 1e-15, 1 - 1e-15))}, natural log. Clipping keeps one
 *       confidently wrong example (p = 0) from making the loss infinite; 1e-15 is scikit-learn's long-standing eps,
 *       so a single such example costs {@code ln(1e15) / n ≈ 34.5 / n}. Rows are not renormalised after clipping
 *       (scikit-learn does; the difference is below 1e-14 for rows that sum to 1).
 *   <li>Expected calibration error is top-label ECE (Guo et al., 2017) over {@value #ECE_BINS} equal-width bins of
 *       confidence = the largest probability: bin b holds confidences in (b/15, (b+1)/15]. ECE = Σ_b (|B_b| / n) ·
 *       |accuracy(B_b) − mean confidence(B_b)|; empty bins contribute nothing.
 *   <li>Confusion matrix: row = true label, column = predicted label, both in {@code labels} order; kept only for
 *       up to {@value #CONFUSION_MAX_LABELS} labels. Per-class scores come from per-class counts (true positives,
 *       support, predictions), so memory beyond the input is linear in the labels and the examples: a dense k x k
 *       matrix of 30,000 labels would take 7 GB, and one of 1,000 would fill a Kafka message on its own.
 * </ul>
 */
public final class ClassificationMetrics {
    /** Probabilities are clipped to [eps, 1 - eps] before the logarithm in log-loss. */
    public static final double LOG_LOSS_EPS = 1e-15;
    /** Number of equal-width confidence bins for the expected calibration error. */
    public static final int ECE_BINS = 15;
    /**
     * How far a probability row's sum may stray from 1. Models emit float32 softmax, whose sum is off by about
     * 1e-7 per class; 1e-4 accepts that and still refuses logits or unnormalised scores passed by mistake.
     */
    public static final double ROW_SUM_TOLERANCE = 1e-4;
    /**
     * The most labels a confusion matrix is kept for: 100 x 100 cells are some 10 KB in a metrics event and still
     * readable on the dashboard; above it {@link #hasConfusion()} is false and the event's matrix is empty.
     */
    public static final int CONFUSION_MAX_LABELS = 100;

    private final List<String> labels;
    private final int examples;
    private final double accuracy;
    private final double macroF1;
    private final double logLoss;
    private final double expectedCalibrationError;
    private final List<PerClassMetrics> perClass;
    private final long[][] confusion;
    private final boolean[] correct;
    private final int[] trueLabels;

    private ClassificationMetrics(List<String> labels, int examples, double accuracy, double macroF1, double logLoss,
            double expectedCalibrationError, List<PerClassMetrics> perClass, long[][] confusion, boolean[] correct,
            int[] trueLabels) {
        this.labels = labels;
        this.examples = examples;
        this.accuracy = accuracy;
        this.macroF1 = macroF1;
        this.logLoss = logLoss;
        this.expectedCalibrationError = expectedCalibrationError;
        this.perClass = perClass;
        this.confusion = confusion;
        this.correct = correct;
        this.trueLabels = trueLabels;
    }

    /**
     * Scores predicted probability rows against true label indices.
     *
     * @param trueLabels    for each example, the index of its true label in {@code labels}
     * @param probabilities for each example, one probability per label in {@code labels} order, summing to 1
     * @param labels        the task's label list in model output order (at least 2, distinct)
     * @throws IllegalArgumentException naming the offending field, index and limit on any malformed input
     */
    public static ClassificationMetrics evaluate(int[] trueLabels, double[][] probabilities, List<String> labels) {
        validateLabels(labels);
        int k = labels.size();
        if (trueLabels == null) {
            throw new IllegalArgumentException("trueLabels must not be null");
        }
        if (probabilities == null) {
            throw new IllegalArgumentException("probabilities must not be null");
        }
        int n = trueLabels.length;
        if (n == 0) {
            throw new IllegalArgumentException("trueLabels must hold at least 1 example, got 0");
        }
        if (probabilities.length != n) {
            throw new IllegalArgumentException("probabilities has " + probabilities.length
                    + " rows but trueLabels has " + n + " examples; they must be equal");
        }

        long[] truePositives = new long[k];
        long[] support = new long[k];
        long[] predictedAs = new long[k];
        long[][] confusion = k <= CONFUSION_MAX_LABELS ? new long[k][k] : new long[0][];
        boolean[] correct = new boolean[n];
        long[] binCount = new long[ECE_BINS];
        long[] binCorrect = new long[ECE_BINS];
        double[] binConfidence = new double[ECE_BINS];
        double logLossSum = 0;
        int correctCount = 0;
        for (int i = 0; i < n; i++) {
            int truth = trueLabels[i];
            if (truth < 0 || truth >= k) {
                throw new IllegalArgumentException("trueLabels[" + i + "] = " + truth
                        + " is outside [0, " + k + ") for labels " + labels);
            }
            double[] row = probabilities[i];
            validateRow(i, row, k);
            int predicted = Predictions.argmax(row);
            support[truth]++;
            predictedAs[predicted]++;
            if (confusion.length > 0) {
                confusion[truth][predicted]++;
            }
            correct[i] = predicted == truth;
            if (correct[i]) {
                truePositives[truth]++;
                correctCount++;
            }
            double p = Math.min(Math.max(row[truth], LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
            logLossSum -= Math.log(p);

            double confidence = row[predicted];
            int bin = calibrationBin(confidence);
            binCount[bin]++;
            binConfidence[bin] += confidence;
            if (correct[i]) {
                binCorrect[bin]++;
            }
        }

        double ece = 0;
        for (int b = 0; b < ECE_BINS; b++) {
            if (binCount[b] > 0) {
                double binAccuracy = (double) binCorrect[b] / binCount[b];
                double meanConfidence = binConfidence[b] / binCount[b];
                ece += ((double) binCount[b] / n) * Math.abs(binAccuracy - meanConfidence);
            }
        }

        List<PerClassMetrics> perClass = new ArrayList<>(k);
        double f1Sum = 0;
        int classesPresent = 0;
        for (int c = 0; c < k; c++) {
            double precision = predictedAs[c] == 0 ? 0 : (double) truePositives[c] / predictedAs[c];
            double recall = support[c] == 0 ? 0 : (double) truePositives[c] / support[c];
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.add(new PerClassMetrics(labels.get(c), precision, recall, f1, support[c]));
            if (support[c] > 0 || predictedAs[c] > 0) {
                f1Sum += f1;
                classesPresent++;
            }
        }
        // n >= 1 guarantees at least one class is present, so classesPresent > 0
        return new ClassificationMetrics(List.copyOf(labels), n, (double) correctCount / n, f1Sum / classesPresent,
                logLossSum / n, ece, List.copyOf(perClass), confusion, correct, trueLabels.clone());
    }

    /** Bin b holds confidences in (b/15, (b+1)/15]; a confidence of exactly 0 (impossible for a valid row) joins bin 0. */
    static int calibrationBin(double confidence) {
        int bin = (int) Math.ceil(confidence * ECE_BINS) - 1;
        return Math.min(Math.max(bin, 0), ECE_BINS - 1);
    }

    private static void validateLabels(List<String> labels) {
        if (labels == null) {
            throw new IllegalArgumentException("labels must not be null");
        }
        if (labels.size() < 2) {
            throw new IllegalArgumentException("labels must hold at least 2 classes, got " + labels.size());
        }
        Set<String> seen = new HashSet<>();
        for (int c = 0; c < labels.size(); c++) {
            String label = labels.get(c);
            if (label == null || label.isEmpty()) {
                throw new IllegalArgumentException("labels[" + c + "] must be a non-empty string");
            }
            if (!seen.add(label)) {
                throw new IllegalArgumentException("labels[" + c + "] = '" + label + "' is a duplicate; labels must be distinct");
            }
        }
    }

    private static void validateRow(int i, double[] row, int k) {
        if (row == null) {
            throw new IllegalArgumentException("probabilities[" + i + "] must not be null");
        }
        if (row.length != k) {
            throw new IllegalArgumentException("probabilities[" + i + "] has " + row.length
                    + " entries but there are " + k + " labels");
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            double p = row[j];
            if (!Double.isFinite(p) || p < 0 || p > 1) {
                throw new IllegalArgumentException("probabilities[" + i + "][" + j + "] = " + p + " must be in [0, 1]");
            }
            sum += p;
        }
        if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
            throw new IllegalArgumentException("probabilities[" + i + "] sums to " + sum
                    + " but must sum to 1 within " + ROW_SUM_TOLERANCE);
        }
    }

    public List<String> labels() {
        return labels;
    }

    /** How many examples were scored. */
    public int examples() {
        return examples;
    }

    public double accuracy() {
        return accuracy;
    }

    public double macroF1() {
        return macroF1;
    }

    public double logLoss() {
        return logLoss;
    }

    public double expectedCalibrationError() {
        return expectedCalibrationError;
    }

    /** One entry per label, in {@link #labels()} order. */
    public List<PerClassMetrics> perClass() {
        return perClass;
    }

    /** Whether the confusion matrix was kept: at most {@value #CONFUSION_MAX_LABELS} labels. */
    public boolean hasConfusion() {
        return confusion.length > 0;
    }

    /**
     * A copy of the confusion matrix, {@code confusion()[truth][predicted]}; empty (no rows) above
     * {@value #CONFUSION_MAX_LABELS} labels.
     */
    public long[][] confusion() {
        long[][] copy = new long[confusion.length][];
        for (int r = 0; r < confusion.length; r++) {
            copy[r] = confusion[r].clone();
        }
        return copy;
    }

    /** A copy of each example's correctness, in input order; the paired test compares these across versions. */
    public boolean[] correctness() {
        return correct.clone();
    }

    /**
     * A copy of each example's true label index in {@link #labels()}, in input order; a first version's majority
     * baseline is built from these.
     */
    public int[] trueLabels() {
        return trueLabels.clone();
    }

    /** The scalars published in a {@link MetricsEvent}'s {@code values} map, in a stable order. */
    public Map<String, Double> values() {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("accuracy", accuracy);
        values.put("macro_f1", macroF1);
        values.put("log_loss", logLoss);
        values.put("ece", expectedCalibrationError);
        values.put("n", (double) examples);
        return values;
    }

    /**
     * The Avro event the evaluator publishes on the metrics topic.
     *
     * @param version the model version scored, or null when the scores are not tied to one
     * @param split   the split the examples came from, or null
     */
    public MetricsEvent toMetricsEvent(String task, MetricKind kind, String source, Long version, Split split,
            Instant timestamp) {
        requireText(task, "task");
        requireText(source, "source");
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (timestamp == null) {
            throw new IllegalArgumentException("timestamp must not be null");
        }
        List<ClassMetrics> classes = new ArrayList<>(perClass.size());
        for (PerClassMetrics m : perClass) {
            classes.add(new ClassMetrics(m.label(), m.precision(), m.recall(), m.f1(), m.support()));
        }
        List<List<Long>> rows = new ArrayList<>(confusion.length);
        for (long[] row : confusion) {
            rows.add(Arrays.stream(row).boxed().toList());
        }
        return MetricsEvent.newBuilder().setTask(task).setKind(kind).setSource(source).setVersion(version)
                .setSplit(split).setValues(values()).setLabels(labels).setPerClass(classes).setConfusion(rows)
                .setTimestamp(timestamp).build();
    }

    static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must be a non-blank string");
        }
    }

    @Override
    public String toString() {
        return String.format("ClassificationMetrics[n=%d, accuracy=%.4f, macroF1=%.4f, logLoss=%.4f, ece=%.4f]",
                examples, accuracy, macroF1, logLoss, expectedCalibrationError);
    }
}
