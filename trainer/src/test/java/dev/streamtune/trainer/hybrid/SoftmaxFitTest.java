package dev.streamtune.trainer.hybrid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamtune.model.hybrid.HybridClassifier.SparseRow;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftmaxFitTest {
    private static final int BUCKETS = 64;
    private static final int DIM = 4;

    private static SoftmaxFit problem(int n, int labels, long seed) {
        Random random = new Random(seed);
        SparseRow[] lexical = new SparseRow[n];
        float[][] dense = new float[n][DIM];
        int[] truth = new int[n];
        float[] weights = new float[n];
        for (int i = 0; i < n; i++) {
            truth[i] = i % labels;
            int[] idx = {truth[i] * 3, 20 + random.nextInt(30)};
            lexical[i] = new SparseRow(idx, new float[] {0.8f, 0.6f});
            for (int d = 0; d < DIM; d++) {
                dense[i][d] = (float) random.nextGaussian() + (d == truth[i] ? 1f : 0f);
            }
            weights[i] = 0.5f + random.nextFloat();
        }
        return new SoftmaxFit(labels, BUCKETS, DIM, lexical, dense, truth, weights);
    }

    @Test
    void theGradientMatchesFiniteDifferencesOfTheObjective() {
        int labels = 3;
        SoftmaxFit fit = problem(40, labels, 1);
        // evaluate works in the compact layout: the active buckets, then the dense block, then the biases
        int active = fit.denseOffset() / labels;
        assertThat(active).isLessThan(BUCKETS);
        Random random = new Random(2);
        float[] x = new float[labels * (active + DIM + 1)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 0.3);
        }
        double lambda = 0.05;
        float[] g = new float[x.length];
        fit.evaluate(x, g, lambda);
        float[] scratch = new float[x.length];
        for (int j = 0; j < x.length; j += 3) {
            float saved = x[j];
            double h = 1e-2;
            x[j] = (float) (saved + h);
            double up = fit.evaluate(x, scratch, lambda);
            x[j] = (float) (saved - h);
            double down = fit.evaluate(x, scratch, lambda);
            x[j] = saved;
            assertThat(g[j]).as("gradient component %d", j).isCloseTo((float) ((up - down) / (2 * h)), within(2e-3f));
        }
    }

    @Test
    void lbfgsConvergesToAStationaryPointAndLessRegularisationFitsTighter() {
        SoftmaxFit fit = problem(200, 3, 3);
        SoftmaxFit.Result strong = fit.fit(0.01, null, 500, 1e-6);
        SoftmaxFit.Result weak = fit.fit(100, null, 500, 1e-6);
        assertThat(strong.iterations()).isLessThan(500);
        assertThat(weak.objective()).isLessThan(strong.objective());
        // a warm start from the solution converges at once to the same objective
        SoftmaxFit.Result again = fit.fit(100, weak.theta(), 500, 1e-6);
        assertThat(again.iterations()).isLessThan(weak.iterations() / 2 + 2);
        assertThat(again.objective()).isCloseTo(weak.objective(), within(1e-4));
        // buckets the data never uses keep exactly zero weight in the full layout
        for (int k = 0; k < 3; k++) {
            assertThat(weak.theta()[k * BUCKETS + 1]).isZero();
            assertThat(weak.theta()[k * BUCKETS + 60]).isZero();
        }
        assertThat(weak.theta()[0]).isNotZero();
    }
}
