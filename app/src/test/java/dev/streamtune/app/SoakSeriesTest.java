package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.streamtune.datasets.Corpus;
import dev.streamtune.datasets.CorpusExample;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SoakSeriesTest {

    @Test
    void theSlopeIsTheMedianPairwiseSlopeAfterTheWarmUp() {
        SoakSeries s = new SoakSeries();
        // a warm-up climb from 0 to 200, then a line of 2 per second with noise of +-1 around it
        for (int t = 0; t < 60; t += 10) {
            s.add(t, t * 4);
        }
        for (int t = 60; t <= 600; t += 30) {
            s.add(t, 300 + 2 * (t - 60) + ((t / 30) % 2 == 0 ? 1 : -1));
        }
        SoakSeries.Fit fit = s.fit(60);
        assertThat(fit.slopePerSecond()).isCloseTo(2.0, within(0.01));
        assertThat(fit.windowSeconds()).isEqualTo(540);
        assertThat(fit.points()).isEqualTo(19);
        assertThat(fit.change()).isCloseTo(1080, within(5.0));
        // with the warm-up in, the line is steeper: what the warm-up exclusion is for
        assertThat(s.fit(0).points()).isEqualTo(25);
    }

    @Test
    void aFewSpikesDoNotMakeALevelSeriesGrowButALeakStillShows() {
        // the trainer's live heap in a 30-min soak: a level ~115 MB, and two full GCs that ran during a refit
        double[] live = {117, 93, 118, 112, 114, 115, 113, 164, 115, 115, 118, 177, 117};
        SoakSeries level = new SoakSeries();
        SoakSeries leak = new SoakSeries();
        for (int i = 0; i < live.length; i++) {
            level.add(450 + 120 * i, live[i]);
            leak.add(450 + 120 * i, live[i] + 2 * i); // +24 MB over the window, under the same spikes
        }
        assertThat(SoakSeries.flatRelative(level.fit(360), 0.10)).as("level with spikes: %s", level.fit(360)).isTrue();
        assertThat(SoakSeries.flatRelative(leak.fit(360), 0.10)).as("leaking under spikes: %s", leak.fit(360)).isFalse();
    }

    @Test
    void tooFewSamplesOrNoSpreadGiveNoFit() {
        SoakSeries s = new SoakSeries();
        s.add(10, 1);
        s.add(20, 2);
        assertThat(s.fit(0)).isNull();
        SoakSeries same = new SoakSeries();
        same.add(5, 1);
        same.add(5, 2);
        same.add(5, 3);
        assertThat(same.fit(0)).isNull();
        assertThatThrownBy(() -> s.add(Double.NaN, 1)).hasMessageContaining("finite");
    }

    @Test
    void memoryIsFlatWhenTheLineMovesItByLessThanTheFractionOfItsMean() {
        SoakSeries steady = new SoakSeries();
        SoakSeries leaking = new SoakSeries();
        for (int t = 0; t <= 1800; t += 30) {
            steady.add(t, 500 + (t % 60 == 0 ? 20 : -20) + t / 180.0); // +10 MB over 30 min: 2%
            leaking.add(t, 500 + t / 18.0);                           // +100 MB over 30 min: 20%
        }
        assertThat(SoakSeries.flatRelative(steady.fit(0), 0.10)).isTrue();
        assertThat(SoakSeries.flatRelative(leaking.fit(0), 0.10)).isFalse();
        assertThat(SoakSeries.flatRelative(null, 0.10)).as("no fit is not flat").isFalse();
    }

    @Test
    void lagIsFlatUnlessItGrowsByMoreThanTheAllowance() {
        SoakSeries catchingUp = new SoakSeries();
        SoakSeries fallingBehind = new SoakSeries();
        for (int t = 0; t <= 600; t += 30) {
            catchingUp.add(t, 1000 - t);
            fallingBehind.add(t, 2 * t);
        }
        assertThat(SoakSeries.flatAbsolute(catchingUp.fit(0), 100)).isTrue();
        assertThat(SoakSeries.flatAbsolute(fallingBehind.fit(0), 100)).isFalse();
    }

    @Test
    void rssIsReadFromProcStatus() {
        String status = "Name:\tjava\nVmPeak:\t 9999 kB\nVmRSS:\t  123456 kB\nThreads:\t42\n";
        assertThat(SoakSeries.rssBytes(status)).isEqualTo(123456L * 1024);
        assertThatThrownBy(() -> SoakSeries.rssBytes("Name:\tjava\n")).hasMessageContaining("VmRSS");
        assertThatThrownBy(() -> SoakSeries.rssBytes("VmRSS:\t12 MB\n")).hasMessageContaining("VmRSS line");
    }

    @Test
    void heapIsSurvivorsEdenAndOldFromJstat() {
        String jstat = """
                    S0C         S1C         S0U         S1U          EC           EU           OC           OU          MC         MU       CCSC      CCSU     YGC     YGCT     FGC    FGCT     CGC    CGCT       GCT
                        0.0      8192.0         0.0      5864.8     110592.0       4096.0     135168.0      64833.5    37376.0    36939.5    4352.0    4156.3     15     0.194     0     0.000     4     0.012     0.206
                """;
        long[] heap = SoakSeries.heapBytes(jstat);
        assertThat(heap[0]).isEqualTo((long) ((5864.8 + 4096.0 + 64833.5) * 1024));
        assertThat(heap[1]).isEqualTo((long) (64833.5 * 1024));
        assertThatThrownBy(() -> SoakSeries.heapBytes("12345 not found")).hasMessageContaining("jstat -gc printed 1 line");
        assertThatThrownBy(() -> SoakSeries.heapBytes("S0U S1U EU\n1 2 3\n")).hasMessageContaining("OU");
    }

    @Test
    void theBacklogRateLeavesOutRampAndTail() {
        assertThat(SoakSeries.backlogRate(600, 10, 34)).isCloseTo(20.0, within(1e-9));
        assertThatThrownBy(() -> SoakSeries.backlogRate(600, 30, 30)).hasMessageContaining("no rate");
    }

    @Test
    void aCycledCorpusHasNewIdsOnEveryPass() {
        Corpus corpus = new Corpus("c", List.of(new CorpusExample("a", "g", "x", "text a"), new CorpusExample("b", "g", "y", "text b")));
        Corpus cycled = SoakBenchmark.cycled(corpus, 5, 1);
        assertThat(cycled.examples()).extracting(CorpusExample::id)
                .containsExactly("a#p1-0", "b#p1-0", "a#p1-1", "b#p1-1", "a#p1-2");
        assertThat(cycled.examples().stream().map(CorpusExample::label).collect(Collectors.joining())).isEqualTo("xyxyx");
        assertThat(SoakBenchmark.cycled(corpus, 2, 0).examples()).extracting(CorpusExample::id)
                .doesNotContainAnyElementsOf(cycled.examples().stream().map(CorpusExample::id).toList());
    }
}
