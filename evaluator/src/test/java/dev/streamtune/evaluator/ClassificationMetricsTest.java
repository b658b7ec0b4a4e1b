package dev.streamtune.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.streamtune.avro.ClassMetrics;
import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.Split;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {
    private static final double EXACT = 1e-12;
    private static final List<String> ABC = List.of("a", "b", "c");

    /*
     * Hand-worked three-class table. Class c is never predicted (zero-division case).
     *
     *  i  true  p(a)  p(b)  p(c)  pred  conf  right  ECE bin (b/15, (b+1)/15]
     *  0   a    .70   .20   .10    a    .70    1     10  (.6667, .7333]
     *  1   a    .25   .65   .10    b    .65    0      9  (.6000, .6667]
     *  2   b    .10   .85   .05    b    .85    1     12  (.8000, .8667]
     *  3   b    .15   .70   .15    b    .70    1     10
     *  4   c    .50   .20   .30    a    .50    0      7  (.4667, .5333]
     *  5   a    .90   .05   .05    a    .90    1     13  (.8667, .9333]
     *
     *  confusion (row true, col pred):  a: [2 1 0]   b: [0 2 0]   c: [1 0 0]
     *  accuracy = 4/6
     *  a: predicted {0,4,5}, right {0,5}: precision 2/3; support 3, recall 2/3; F1 2/3
     *  b: predicted {1,2,3}, right {2,3}: precision 2/3; support 2, recall 1;   F1 2(2/3)(1)/(5/3) = 4/5
     *  c: never predicted: precision 0 (zero_division=0); support 1, recall 0; F1 0
     *  macro-F1 = (2/3 + 4/5 + 0) / 3 = 22/45 = 0.48889 (c occurs among the true labels, so it counts)
     *  log-loss = -(ln .70 + ln .25 + ln .85 + ln .70 + ln .30 + ln .90) / 6
     *           = (0.356675 + 1.386294 + 0.162519 + 0.356675 + 1.203973 + 0.105361) / 6 = 3.571496 / 6 = 0.595249
     *  ECE = (1/6)|0 - .50| + (1/6)|0 - .65| + (2/6)|1 - .70| + (1/6)|1 - .85| + (1/6)|1 - .90|
     *      = (.50 + .65 + .60 + .15 + .10) / 6 = 2/6 = 1/3
     */
    private static final int[] TRUTH = {0, 0, 1, 1, 2, 0};
    private static final double[][] PROBS = {
        {0.70, 0.20, 0.10}, {0.25, 0.65, 0.10}, {0.10, 0.85, 0.05},
        {0.15, 0.70, 0.15}, {0.50, 0.20, 0.30}, {0.90, 0.05, 0.05}};

    @Test
    void handWorkedThreeClassTable() {
        ClassificationMetrics m = ClassificationMetrics.evaluate(TRUTH, PROBS, ABC);

        assertThat(m.examples()).isEqualTo(6);
        assertThat(m.accuracy()).isCloseTo(4.0 / 6, within(EXACT));
        assertThat(m.confusion()).isDeepEqualTo(new long[][] {{2, 1, 0}, {0, 2, 0}, {1, 0, 0}});
        assertThat(m.perClass()).hasSize(3);
        assertPerClass(m.perClass().get(0), "a", 2.0 / 3, 2.0 / 3, 2.0 / 3, 3);
        assertPerClass(m.perClass().get(1), "b", 2.0 / 3, 1.0, 0.8, 2);
        assertPerClass(m.perClass().get(2), "c", 0.0, 0.0, 0.0, 1);
        assertThat(m.macroF1()).isCloseTo(22.0 / 45, within(EXACT));
        assertThat(m.logLoss()).isCloseTo(0.595249, within(1e-6));
        assertThat(m.logLoss()).isCloseTo(-(Math.log(.7) + Math.log(.25) + Math.log(.85) + Math.log(.7)
                + Math.log(.3) + Math.log(.9)) / 6, within(EXACT));
        assertThat(m.expectedCalibrationError()).isCloseTo(1.0 / 3, within(EXACT));
        assertThat(m.correctness()).containsExactly(true, false, true, true, false, true);
    }

    /*
     * Binary, with a confidently wrong example to show clipping:
     *  i true p(0) p(1) pred right  -ln(clip(p_true))
     *  0  0   1.0  0.0   0    1     -ln(1 - 1e-15)  ≈ 1.0e-15
     *  1  1   1.0  0.0   0    0     -ln(1e-15)      = 34.538776394910684
     *  log-loss = (1.0e-15 + 34.538776394910684) / 2 = 17.269388197455342
     *  class 1 never predicted: precision 0, recall 0, F1 0; class 0: precision 1/2, recall 1, F1 2/3
     *  macro-F1 = (2/3 + 0) / 2 = 1/3; both confidences are 1.0 → last bin, accuracy 1/2: ECE = |0.5 - 1| = 0.5
     */
    @Test
    void probabilityZeroOnTheTrueClassIsClippedNotInfinite() {
        ClassificationMetrics m = ClassificationMetrics.evaluate(new int[] {0, 1},
                new double[][] {{1.0, 0.0}, {1.0, 0.0}}, List.of("ham", "spam"));

        assertThat(m.logLoss()).isFinite().isCloseTo(17.269388197455342, within(1e-9));
        assertThat(m.logLoss()).isCloseTo(-Math.log(ClassificationMetrics.LOG_LOSS_EPS) / 2, within(1e-9));
        assertThat(m.macroF1()).isCloseTo(1.0 / 3, within(EXACT));
        assertPerClass(m.perClass().get(1), "spam", 0.0, 0.0, 0.0, 1);
        assertThat(m.expectedCalibrationError()).isCloseTo(0.5, within(EXACT));
    }

    /*
     * Perfect predictions on a,b only; c is absent from both truth and predictions.
     *  macro-F1 averages over the classes present ({a, b}): (1 + 1) / 2 = 1, not (1 + 1 + 0) / 3.
     *  c still gets its row: precision 0, recall 0, F1 0, support 0.
     *  Confidences .9, .8 (-> bins 13 and 11), all right: ECE = (1/2)(1 - .9) + (1/2)(1 - .8) = 0.15.
     */
    @Test
    void aClassAbsentFromTruthAndPredictionsDoesNotLowerMacroF1() {
        ClassificationMetrics m = ClassificationMetrics.evaluate(new int[] {0, 1},
                new double[][] {{0.9, 0.05, 0.05}, {0.1, 0.8, 0.1}}, ABC);

        assertThat(m.macroF1()).isEqualTo(1.0);
        assertThat(m.accuracy()).isEqualTo(1.0);
        assertPerClass(m.perClass().get(2), "c", 0.0, 0.0, 0.0, 0);
        assertThat(m.confusion()[2]).containsExactly(0, 0, 0);
        assertThat(m.expectedCalibrationError()).isCloseTo(0.15, within(EXACT));
    }

    /*
     * A class predicted but never true: truth all a, predictions a, b.
     *  b: predicted once, never right: precision 0/1 = 0; support 0: recall 0 (zero_division=0); F1 0.
     *  a: precision 1, recall 1/2, F1 2/3. macro over present {a, b} = (2/3 + 0) / 2 = 1/3.
     */
    @Test
    void recallOfAClassWithNoSupportIsZero() {
        ClassificationMetrics m = ClassificationMetrics.evaluate(new int[] {0, 0},
                new double[][] {{0.6, 0.4}, {0.3, 0.7}}, List.of("a", "b"));

        assertPerClass(m.perClass().get(0), "a", 1.0, 0.5, 2.0 / 3, 2);
        assertPerClass(m.perClass().get(1), "b", 0.0, 0.0, 0.0, 0);
        assertThat(m.macroF1()).isCloseTo(1.0 / 3, within(EXACT));
    }

    @Test
    void tiesGoToTheLowestIndex() {
        assertThat(Predictions.argmax(new double[] {0.4, 0.4, 0.2})).isZero();
        assertThat(Predictions.argmax(new double[] {0.2, 0.4, 0.4})).isEqualTo(1);
        ClassificationMetrics m = ClassificationMetrics.evaluate(new int[] {1}, new double[][] {{0.5, 0.5}}, List.of("a", "b"));
        assertThat(m.confusion()).isDeepEqualTo(new long[][] {{0, 0}, {1, 0}});
    }

    @Test
    void calibrationBinsAreRightClosedAndTopBinHoldsCertainty() {
        assertThat(ClassificationMetrics.calibrationBin(1.0)).isEqualTo(14);
        assertThat(ClassificationMetrics.calibrationBin(0.95)).isEqualTo(14);
        assertThat(ClassificationMetrics.calibrationBin(0.93)).isEqualTo(13);
        assertThat(ClassificationMetrics.calibrationBin(0.5)).isEqualTo(7);
        assertThat(ClassificationMetrics.calibrationBin(1.0 / 30)).isZero();
        assertThat(ClassificationMetrics.calibrationBin(0.0)).isZero();
    }

    @Test
    void invariantsHoldOnRandomInputs() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int k = 2 + random.nextInt(5);
            int n = 1 + random.nextInt(300);
            int[] truth = new int[n];
            double[][] probs = new double[n][];
            for (int i = 0; i < n; i++) {
                truth[i] = random.nextInt(k);
                probs[i] = randomRow(random, k);
            }
            List<String> labels = java.util.stream.IntStream.range(0, k).mapToObj(c -> "c" + c).toList();
            ClassificationMetrics m = ClassificationMetrics.evaluate(truth, probs, labels);

            long[][] confusion = m.confusion();
            long total = 0;
            long trace = 0;
            for (int r = 0; r < k; r++) {
                long rowSum = 0;
                for (int c = 0; c < k; c++) {
                    rowSum += confusion[r][c];
                }
                assertThat(rowSum).isEqualTo(m.perClass().get(r).support());
                total += rowSum;
                trace += confusion[r][r];
            }
            assertThat(total).isEqualTo(n);
            assertThat(m.accuracy()).isCloseTo((double) trace / n, within(EXACT));
            assertThat(m.macroF1()).isBetween(0.0, 1.0);
            assertThat(m.expectedCalibrationError()).isBetween(0.0, 1.0);
            assertThat(m.logLoss()).isPositive();
            int rightCount = 0;
            for (boolean right : m.correctness()) {
                rightCount += right ? 1 : 0;
            }
            assertThat(rightCount).isEqualTo(trace);
        }
    }

    @Test
    void returnedArraysAreCopies() {
        ClassificationMetrics m = ClassificationMetrics.evaluate(TRUTH, PROBS, ABC);
        m.confusion()[0][0] = 99;
        m.correctness()[0] = false;
        assertThat(m.confusion()[0][0]).isEqualTo(2);
        assertThat(m.correctness()[0]).isTrue();
    }

    @Test
    void metricsEventCarriesEverythingAndSurvivesAvroBytes() throws Exception {
        ClassificationMetrics m = ClassificationMetrics.evaluate(TRUTH, PROBS, ABC);
        Instant at = Instant.parse("2026-11-26T04:00:00Z");
        MetricsEvent event = m.toMetricsEvent("topics", MetricKind.EVALUATION, "evaluator", 4L, Split.VALIDATION, at);

        MetricsEvent decoded = roundTrip(event);
        assertThat(decoded).isEqualTo(event);
        assertThat(decoded.getTask()).isEqualTo("topics");
        assertThat(decoded.getKind()).isEqualTo(MetricKind.EVALUATION);
        assertThat(decoded.getVersion()).isEqualTo(4L);
        assertThat(decoded.getSplit()).isEqualTo(Split.VALIDATION);
        assertThat(decoded.getTimestamp()).isEqualTo(at);
        assertThat(decoded.getLabels()).containsExactly("a", "b", "c");
        assertThat(decoded.getValues()).containsOnlyKeys("accuracy", "macro_f1", "log_loss", "ece", "n");
        assertThat(decoded.getValues().get("macro_f1")).isCloseTo(22.0 / 45, within(EXACT));
        assertThat(decoded.getValues().get("ece")).isCloseTo(1.0 / 3, within(EXACT));
        assertThat(decoded.getValues().get("n")).isEqualTo(6.0);
        assertThat(decoded.getPerClass()).extracting(ClassMetrics::getLabel).containsExactly("a", "b", "c");
        assertThat(decoded.getPerClass().get(1).getF1()).isCloseTo(0.8, within(EXACT));
        assertThat(decoded.getPerClass().get(2).getSupport()).isEqualTo(1L);
        assertThat(decoded.getConfusion()).containsExactly(List.of(2L, 1L, 0L), List.of(0L, 2L, 0L), List.of(1L, 0L, 0L));
    }

    @Test
    void metricsEventWithoutVersionOrSplit() {
        MetricsEvent event = ClassificationMetrics.evaluate(TRUTH, PROBS, ABC)
                .toMetricsEvent("topics", MetricKind.EVALUATION, "evaluator", null, null, Instant.EPOCH);
        assertThat(event.getVersion()).isNull();
        assertThat(event.getSplit()).isNull();
        assertThatThrownBy(() -> ClassificationMetrics.evaluate(TRUTH, PROBS, ABC)
                .toMetricsEvent(" ", MetricKind.EVALUATION, "evaluator", 1L, Split.TEST, Instant.EPOCH))
                .hasMessageContaining("task must be a non-blank string");
    }

    @Test
    void malformedInputIsRefusedNamingTheFieldAndLimit() {
        List<String> ab = List.of("a", "b");
        assertThatThrownBy(() -> ClassificationMetrics.evaluate(new int[] {0}, new double[][] {{1, 0}}, List.of("a")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labels must hold at least 2 classes, got 1");
        assertThatThrownBy(() -> ClassificationMetrics.evaluate(new int[] {0}, new double[][] {{1, 0}}, List.of("a", "a")))
                .hasMessageContaining("labels[1] = 'a' is a duplicate");
        assertThatThrownBy(() -> ClassificationMetrics.evaluate(new int[0], new double[0][], ab))
                .hasMessageContaining("trueLabels must hold at least 1 example");
        assertThatThrownBy(() -> ClassificationMetrics.evaluate(new int[] {0, 1}, new double[][] {{1, 0}}, ab))
                .hasMessageContaining("probabilities has 1 rows but trueLabels has 2");
        assertThatThrownBy(() -> ClassificationMetrics.evaluate(new int[] {0, 2}, new double[][] {{1, 0}, {1, 0}}, ab))
                .hasMessageContaining("trueLabels[1] = 2 is outside [0, 2)");
        assertThatThrownBy(() -> ClassificationMetrics.evaluate(new int[] {0}, new double[][] {{1, 0, 0}}, ab))
                .hasMessageContaining("probabilities[0] has 3 entries but there are 2 labels");
        assertThatThrownBy(() -> ClassificationMetrics.evaluate(new int[] {0}, new double[][] {{Double.NaN, 1}}, ab))
                .hasMessageContaining("probabilities[0][0] = NaN must be in [0, 1]");
        assertThatThrownBy(() -> ClassificationMetrics.evaluate(new int[] {0}, new double[][] {{-0.1, 1.1}}, ab))
                .hasMessageContaining("probabilities[0][0] = -0.1 must be in [0, 1]");
        assertThatThrownBy(() -> ClassificationMetrics.evaluate(new int[] {0, 1}, new double[][] {{0.5, 0.5}, {0.6, 0.6}}, ab))
                .hasMessageContaining("probabilities[1] sums to 1.2 but must sum to 1 within 1.0E-4");
        // float32 softmax rounding is accepted
        assertThat(ClassificationMetrics.evaluate(new int[] {0}, new double[][] {{0.7000001, 0.3}}, ab).accuracy()).isEqualTo(1.0);
    }

    static double[] randomRow(Random random, int k) {
        double[] row = new double[k];
        double sum = 0;
        for (int j = 0; j < k; j++) {
            row[j] = Math.exp(2 * random.nextGaussian());
            sum += row[j];
        }
        for (int j = 0; j < k; j++) {
            row[j] /= sum;
        }
        return row;
    }

    /**
     * 30,000 labels: a dense confusion matrix would be 7.2 GB (more than this test JVM's heap), so this passes only
     * when per-class scores come from per-class counts. Checked against a brute-force count per class.
     */
    @Test
    void thirtyThousandLabelsAreScoredFromPerClassCountsWithoutAMatrix() {
        int k = 30_000;
        int n = 60;
        List<String> labels = java.util.stream.IntStream.range(0, k).mapToObj(c -> "label-" + c).toList();
        int[] truth = new int[n];
        int[] predicted = new int[n];
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            truth[i] = (i % 20) * 1_000;                     // 20 classes occur, spread over the whole range
            predicted[i] = i % 3 == 0 ? k - 1 - i : truth[i]; // a third go to classes that never occur
            rows[i] = new double[k];
            rows[i][predicted[i]] = 1.0;
        }
        ClassificationMetrics m = ClassificationMetrics.evaluate(truth, rows, labels);

        assertThat(m.hasConfusion()).isFalse();
        assertThat(m.confusion()).isEmpty();
        assertThat(m.perClass()).hasSize(k);
        assertThat(m.accuracy()).isCloseTo(40.0 / 60, within(EXACT));
        double f1Sum = 0;
        int present = 0;
        for (int c = 0; c < k; c++) {
            long tp = 0;
            long support = 0;
            long predictedAs = 0;
            for (int i = 0; i < n; i++) {
                tp += truth[i] == c && predicted[i] == c ? 1 : 0;
                support += truth[i] == c ? 1 : 0;
                predictedAs += predicted[i] == c ? 1 : 0;
            }
            double precision = predictedAs == 0 ? 0 : (double) tp / predictedAs;
            double recall = support == 0 ? 0 : (double) tp / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            assertPerClass(m.perClass().get(c), labels.get(c), precision, recall, f1, support);
            if (support > 0 || predictedAs > 0) {
                f1Sum += f1;
                present++;
            }
        }
        assertThat(present).as("20 true classes and 20 wrong predictions").isEqualTo(40);
        assertThat(m.macroF1()).isCloseTo(f1Sum / present, within(EXACT));
        MetricsEvent event = m.toMetricsEvent("t", MetricKind.EVALUATION, "evaluator", 1L, Split.VALIDATION,
                Instant.EPOCH);
        assertThat(event.getConfusion()).as("no matrix on the wire either").isEmpty();
        assertThat(event.getPerClass()).hasSize(k);
    }

    @Test
    void theConfusionMatrixIsKeptUpToItsLabelLimit() {
        for (int k : new int[] {ClassificationMetrics.CONFUSION_MAX_LABELS, ClassificationMetrics.CONFUSION_MAX_LABELS + 1}) {
            List<String> labels = java.util.stream.IntStream.range(0, k).mapToObj(c -> "c" + c).toList();
            int[] truth = {0, 1, k - 1};
            double[][] rows = new double[3][k];
            rows[0][0] = 1;
            rows[1][k - 1] = 1;
            rows[2][k - 1] = 1;
            ClassificationMetrics m = ClassificationMetrics.evaluate(truth, rows, labels);
            boolean kept = k <= ClassificationMetrics.CONFUSION_MAX_LABELS;
            assertThat(m.hasConfusion()).as("k = " + k).isEqualTo(kept);
            assertThat(m.confusion().length).isEqualTo(kept ? k : 0);
            if (kept) {
                assertThat(m.confusion()[1][k - 1]).isEqualTo(1);
                assertThat(m.confusion()[k - 1][k - 1]).isEqualTo(1);
            }
            // the same scores either way: c0 right, c1 wrong, the last class right once out of twice predicted
            assertPerClass(m.perClass().get(0), "c0", 1, 1, 1, 1);
            assertPerClass(m.perClass().get(1), "c1", 0, 0, 0, 1);
            assertPerClass(m.perClass().get(k - 1), "c" + (k - 1), 0.5, 1, 2.0 / 3, 1);
            assertThat(m.macroF1()).isCloseTo((1 + 0 + 2.0 / 3) / 3, within(EXACT));
        }
    }

    private static void assertPerClass(PerClassMetrics actual, String label, double precision, double recall,
            double f1, long support) {
        assertThat(actual.label()).isEqualTo(label);
        assertThat(actual.precision()).as(label + " precision").isCloseTo(precision, within(EXACT));
        assertThat(actual.recall()).as(label + " recall").isCloseTo(recall, within(EXACT));
        assertThat(actual.f1()).as(label + " f1").isCloseTo(f1, within(EXACT));
        assertThat(actual.support()).as(label + " support").isEqualTo(support);
    }

    private static MetricsEvent roundTrip(MetricsEvent event) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(MetricsEvent.class).write(event, encoder);
        encoder.flush();
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null);
        return new SpecificDatumReader<>(MetricsEvent.class).read(null, decoder);
    }
}
