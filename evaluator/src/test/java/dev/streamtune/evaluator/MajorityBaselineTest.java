package dev.streamtune.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MajorityBaselineTest {

    @Test
    void itPredictsTheMostFrequentTrueLabelTiesToTheFirst() {
        // labels 1 and 2 tie at two examples each: label 1 comes first in the task's order
        MajorityBaseline tie = MajorityBaseline.of(new int[] {2, 1, 2, 1, 0});
        assertThat(tie.label()).isEqualTo(1);
        assertThat(tie.correct()).containsExactly(false, true, false, true, false);
        assertThat(tie.rightCount()).isEqualTo(2);
        // F1 of label 1 = 2 * 2 / (5 + 2); three classes present
        assertThat(tie.macroF1()).isCloseTo(4.0 / 7 / 3, within(1e-15));

        MajorityBaseline clear = MajorityBaseline.of(new int[] {0, 3, 3, 3});
        assertThat(clear.label()).isEqualTo(3);
        // labels 1 and 2 occur nowhere, so (as in ClassificationMetrics) they do not count
        assertThat(clear.macroF1()).isCloseTo(2.0 * 3 / 7 / 2, within(1e-15));

        MajorityBaseline none = MajorityBaseline.of(new int[0]);
        assertThat(none.label()).isEqualTo(-1);
        assertThat(none.macroF1()).isZero();
        assertThat(none.correct()).isEmpty();

        assertThatThrownBy(() -> MajorityBaseline.of(null)).hasMessageContaining("trueLabels must not be null");
        assertThatThrownBy(() -> MajorityBaseline.of(new int[] {0, -2})).hasMessageContaining("trueLabels[1] = -2");
    }

    /** Its figures are exactly what ClassificationMetrics gives a model that always answers its label. */
    @Test
    void itScoresAsClassificationMetricsScoresAConstantPredictor() {
        Random random = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int k = 2 + random.nextInt(11);
            int n = 1 + random.nextInt(400);
            // skewed and sometimes missing classes
            double[] weights = new double[k];
            for (int c = 0; c < k; c++) {
                weights[c] = random.nextDouble() < 0.2 ? 0 : Math.pow(random.nextDouble(), 3);
            }
            int[] truth = new int[n];
            for (int i = 0; i < n; i++) {
                truth[i] = draw(weights, random);
            }
            MajorityBaseline baseline = MajorityBaseline.of(truth);

            List<String> labels = new ArrayList<>();
            for (int c = 0; c < k; c++) {
                labels.add("c" + c);
            }
            double[][] rows = new double[n][k];
            for (int i = 0; i < n; i++) {
                rows[i][baseline.label()] = 1;
            }
            ClassificationMetrics constant = ClassificationMetrics.evaluate(truth, rows, labels);
            assertThat(baseline.macroF1()).as("trial %d", trial).isCloseTo(constant.macroF1(), within(1e-12));
            assertThat(baseline.correct()).isEqualTo(constant.correctness());
            long[] support = new long[k];
            for (int y : truth) {
                support[y]++;
            }
            for (int c = 0; c < k; c++) {
                assertThat(support[c] < support[baseline.label()] || (support[c] == support[baseline.label()]
                        && c >= baseline.label())).as("trial %d class %d", trial, c).isTrue();
            }
            assertThat(ValidationScore.of(constant).trueLabels()).containsExactly(truth);
        }
    }

    private static int draw(double[] weights, Random random) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        if (total == 0) {
            return 0;
        }
        double u = random.nextDouble() * total;
        for (int c = 0; c < weights.length; c++) {
            u -= weights[c];
            if (u < 0 && weights[c] > 0) {
                return c;
            }
        }
        for (int c = weights.length - 1; c >= 0; c--) {
            if (weights[c] > 0) {
                return c;
            }
        }
        return 0;
    }
}
