package dev.streamtune.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.Split;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class PrequentialAccuracyTest {

    /*
     * Window of 3. Outcomes: R W R R W W
     *  after  n  correct  cumulative  window contents  window acc
     *   1     1    1        1/1        [R]              1/1
     *   2     2    1        1/2        [R W]            1/2
     *   3     3    2        2/3        [R W R]          2/3
     *   4     4    3        3/4        [W R R]          2/3
     *   5     5    3        3/5        [R R W]          2/3
     *   6     6    3        3/6        [R W W]          1/3
     */
    @Test
    void cumulativeAndSlidingWindowByHand() {
        PrequentialAccuracy prequential = new PrequentialAccuracy(3);
        boolean[] outcomes = {true, false, true, true, false, false};
        double[] cumulative = {1, 1.0 / 2, 2.0 / 3, 3.0 / 4, 3.0 / 5, 3.0 / 6};
        double[] window = {1, 1.0 / 2, 2.0 / 3, 2.0 / 3, 2.0 / 3, 1.0 / 3};
        long[] windowN = {1, 2, 3, 3, 3, 3};
        for (int i = 0; i < outcomes.length; i++) {
            PrequentialSnapshot s = prequential.record("spam", outcomes[i]);
            assertThat(s.examples()).isEqualTo(i + 1);
            assertThat(s.accuracy()).as("cumulative after %d", i + 1).isCloseTo(cumulative[i], within(1e-15));
            assertThat(s.windowAccuracy()).as("window after %d", i + 1).isCloseTo(window[i], within(1e-15));
            assertThat(s.windowExamples()).isEqualTo(windowN[i]);
        }
        assertThat(prequential.snapshot("spam")).get().isEqualTo(new PrequentialSnapshot("spam", 6, 3, 3, 1));
    }

    @Test
    void tasksAreCountedSeparately() {
        PrequentialAccuracy prequential = new PrequentialAccuracy(10);
        prequential.record("spam", true);
        prequential.record("spam", true);
        prequential.record("topics", false);
        assertThat(prequential.snapshot("spam")).get().extracting(PrequentialSnapshot::accuracy).isEqualTo(1.0);
        assertThat(prequential.snapshot("topics")).get().extracting(PrequentialSnapshot::accuracy).isEqualTo(0.0);
        assertThat(prequential.snapshot("sentiment")).isEmpty();
        assertThat(prequential.tasks()).containsExactly("spam", "topics");
    }

    @Test
    void theChampionsProbabilityRowIsScoredByArgmax() {
        PrequentialAccuracy prequential = new PrequentialAccuracy(5);
        assertThat(prequential.record("spam", 1, new double[] {0.2, 0.8}).correct()).isEqualTo(1);
        assertThat(prequential.record("spam", 0, new double[] {0.2, 0.8}).correct()).isEqualTo(1);
        assertThat(prequential.record("spam", 0, new double[] {0.5, 0.5}).correct()).isEqualTo(2); // tie -> index 0
        assertThatThrownBy(() -> prequential.record("spam", 2, new double[] {0.5, 0.5}))
                .hasMessageContaining("trueLabel = 2 is outside [0, 2)");
    }

    /* Drift: 2,000 examples at 95% then 500 at 60%. The window (200) falls to ~60%; the cumulative figure lags. */
    @Test
    void theWindowShowsDriftThatTheCumulativeFigureHides() {
        PrequentialAccuracy prequential = new PrequentialAccuracy(200);
        Random random = new Random(3);
        PrequentialSnapshot s = null;
        for (int i = 0; i < 2000; i++) {
            s = prequential.record("spam", random.nextDouble() < 0.95);
        }
        assertThat(s.windowAccuracy()).isCloseTo(0.95, within(0.04));
        for (int i = 0; i < 500; i++) {
            s = prequential.record("spam", random.nextDouble() < 0.60);
        }
        assertThat(s.windowAccuracy()).isCloseTo(0.60, within(0.08));
        assertThat(s.accuracy()).isGreaterThan(0.85); // (~1900 + ~300) / 2500
        assertThat(s.examples()).isEqualTo(2500);
        assertThat(s.windowExamples()).isEqualTo(200);
    }

    @Test
    void windowCountsMatchARecountOfTheLastNOutcomes() {
        int windowSize = 37;
        PrequentialAccuracy prequential = new PrequentialAccuracy(windowSize);
        Random random = new Random(11);
        List<Boolean> history = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            boolean outcome = random.nextBoolean();
            history.add(outcome);
            PrequentialSnapshot s = prequential.record("t", outcome);
            List<Boolean> last = history.subList(Math.max(0, history.size() - windowSize), history.size());
            assertThat(s.windowCorrect()).isEqualTo(last.stream().filter(b -> b).count());
            assertThat(s.correct()).isEqualTo(history.stream().filter(b -> b).count());
        }
    }

    @Test
    void concurrentRecordingLosesNothing() throws Exception {
        PrequentialAccuracy prequential = new PrequentialAccuracy(1000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        prequential.record("spam", i % 4 != 0);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        PrequentialSnapshot s = prequential.snapshot("spam").orElseThrow();
        assertThat(s.examples()).isEqualTo(40_000);
        assertThat(s.correct()).isEqualTo(30_000);
        assertThat(s.windowExamples()).isEqualTo(1000);
    }

    @Test
    void publishesAPrequentialMetricsEvent() {
        PrequentialAccuracy prequential = new PrequentialAccuracy(2);
        prequential.record("spam", true);
        prequential.record("spam", false);
        PrequentialSnapshot s = prequential.record("spam", false);
        MetricsEvent event = s.toMetricsEvent("evaluator", 7L, Instant.parse("2026-11-26T04:30:00Z"));
        assertThat(event.getKind()).isEqualTo(MetricKind.PREQUENTIAL);
        assertThat(event.getSplit()).isEqualTo(Split.TRAIN);
        assertThat(event.getVersion()).isEqualTo(7L);
        assertThat(event.getValues()).containsEntry("n", 3.0).containsEntry("window_n", 2.0).containsEntry("window_accuracy", 0.0);
        assertThat(event.getValues().get(dev.streamtune.schemas.MetricNames.PREQUENTIAL_ACCURACY)).isCloseTo(1.0 / 3, within(1e-15));
        assertThatThrownBy(() -> new PrequentialSnapshot("spam", 0, 0, 0, 0).toMetricsEvent("evaluator", null, Instant.EPOCH))
                .hasMessageContaining("examples is 0 for task 'spam'");
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> new PrequentialAccuracy(0)).hasMessage("windowSize must be in [1, 10000000], got 0");
        assertThatThrownBy(() -> new PrequentialAccuracy(1).record("", true)).hasMessage("task must be a non-blank string");
        assertThatThrownBy(() -> new PrequentialSnapshot("spam", 2, 3, 0, 0)).hasMessageContaining("correct=3, examples=2");
        assertThat(new PrequentialSnapshot("spam", 0, 0, 0, 0).accuracy()).isNaN();
    }
}
