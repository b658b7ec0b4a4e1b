package dev.streamtune.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class McNemarTest {

    /*
     * Small tables worked by hand, X ~ Binomial(b + c, 1/2):
     *  b=0,  c=10: P(X <= 0) = 1/1024; two-sided 2/1024 = 0.001953125; one-sided P(X <= b) = 1/1024
     *  b=10, c=10: P(X <= 10) >= 1/2, so two-sided min(1, ...) = 1
     *  b=3,  c=12: P(X <= 3) = (1 + 15 + 105 + 455) / 2^15 = 576/32768 = 0.017578125; two-sided 0.03515625
     *  b=1,  c=1:  P(X <= 1) = 3/4; two-sided 1; one-sided 3/4
     *  b=5,  c=0:  two-sided 2/32 = 0.0625; one-sided "challenger better" P(X <= 5) = 1
     */
    @Test
    void handWorkedTables() {
        assertThat(McNemar.twoSidedPValue(0, 10)).isEqualTo(0.001953125, within(1e-15));
        assertThat(McNemar.oneSidedPValueChallengerBetter(0, 10)).isEqualTo(1.0 / 1024, within(1e-15));
        assertThat(McNemar.twoSidedPValue(10, 10)).isEqualTo(1.0);
        assertThat(McNemar.twoSidedPValue(3, 12)).isCloseTo(0.03515625, within(1e-15));
        assertThat(McNemar.oneSidedPValueChallengerBetter(3, 12)).isCloseTo(576.0 / 32768, within(1e-15));
        assertThat(McNemar.twoSidedPValue(1, 1)).isEqualTo(1.0);
        assertThat(McNemar.oneSidedPValueChallengerBetter(1, 1)).isCloseTo(0.75, within(1e-15));
        assertThat(McNemar.twoSidedPValue(5, 0)).isCloseTo(0.0625, within(1e-15));
        assertThat(McNemar.oneSidedPValueChallengerBetter(5, 0)).isEqualTo(1.0);
    }

    @Test
    void noDiscordantPairsIsNoEvidence() {
        assertThat(McNemar.twoSidedPValue(0, 0)).isEqualTo(1.0);
        assertThat(McNemar.oneSidedPValueChallengerBetter(0, 0)).isEqualTo(1.0);
    }

    /**
     * Exact values from src/test/python/mcnemar_reference.py (Python big-integer sums rounded once to a double;
     * scipy 1.10.1 binomtest agrees to ~1e-13), up to b + c = 100,000.
     */
    @ParameterizedTest(name = "b={0}, c={1}")
    @CsvSource({
        "0, 10, 0.001953125, 0.0009765625",
        "10, 10, 1.0, 0.5880985260009766",
        "3, 12, 0.03515625, 0.017578125",
        "12, 3, 0.03515625, 0.996307373046875",
        "1, 1, 1.0, 0.75",
        "0, 1, 1.0, 0.5",
        "5, 0, 0.0625, 1.0",
        "2, 9, 0.0654296875, 0.03271484375",
        "40, 60, 0.05688793364098079, 0.028443966820490395",
        "430, 570, 1.0709737664959512e-05, 5.354868832479756e-06",
        "4900, 5100, 0.04658552770494739, 0.023292763852473693",
        "49000, 51000, 2.588716038346898e-10, 1.294358019173449e-10",
        "49800, 50200, 0.20703897176422484, 0.10351948588211242",
        "50000, 50000, 1.0, 0.5012615631070984",
        "47000, 53000, 2.683937378145194e-80, 1.341968689072597e-80",
        "300, 700, 1.7665678007950136e-37, 8.832839003975068e-38",
    })
    void matchesExactReferenceValues(long b, long c, double twoSided, double oneSided) {
        assertThat(McNemar.twoSidedPValue(b, c)).isCloseTo(twoSided, relative(twoSided, 1e-12));
        assertThat(McNemar.oneSidedPValueChallengerBetter(b, c)).isCloseTo(oneSided, relative(oneSided, 1e-12));
    }

    @Test
    void symmetricInBAndCTwoSidedAndComplementaryOneSided() {
        for (long b = 0; b <= 40; b++) {
            for (long c = 0; c <= 40; c++) {
                assertThat(McNemar.twoSidedPValue(b, c)).isEqualTo(McNemar.twoSidedPValue(c, b));
                if (b + c > 0) {
                    // P(X <= b) + P(X >= b + 1) = 1, and by symmetry P(X >= b + 1) = P(X <= n - b - 1) = P(X <= c - 1)
                    double sum = McNemar.oneSidedPValueChallengerBetter(b, c) + McNemar.binomialHalfCdf(b + c, c - 1);
                    assertThat(sum).isCloseTo(1.0, within(1e-12));
                }
            }
        }
    }

    @Test
    void cdfAgreesWithDirectSummationForSmallN() {
        for (int n = 1; n <= 60; n++) {
            double[] pmf = new double[n + 1];
            double coefficient = 1;
            for (int i = 0; i <= n; i++) {
                pmf[i] = coefficient / Math.pow(2, n);
                coefficient = coefficient * (n - i) / (i + 1);
            }
            double cumulative = 0;
            for (int m = 0; m <= n; m++) {
                cumulative += pmf[m];
                assertThat(McNemar.binomialHalfCdf(n, m)).as("n=%d m=%d", n, m).isCloseTo(cumulative, relative(cumulative, 1e-12));
            }
        }
    }

    @Test
    void extremeTablesUnderflowToZeroInsteadOfFailing() {
        assertThat(McNemar.twoSidedPValue(0, 100_000)).isZero();
        assertThat(McNemar.oneSidedPValueChallengerBetter(0, 100_000)).isZero();
        assertThat(McNemar.oneSidedPValueChallengerBetter(100_000, 0)).isEqualTo(1.0);
        assertThat(McNemar.twoSidedPValue(5_000_000, 5_000_000)).isEqualTo(1.0);
    }

    @Test
    void largeTablesAreFast() {
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            McNemar.twoSidedPValue(49_000 + i, 51_000 - i);
        }
        assertThat((System.nanoTime() - start) / 1e9).as("seconds for 100 tests with n = 100,000").isLessThan(2.0);
    }

    @Test
    void negativeCountsAreRefused() {
        assertThatThrownBy(() -> McNemar.twoSidedPValue(-1, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("b (champion-only correct) must be >= 0, got -1");
        assertThatThrownBy(() -> McNemar.oneSidedPValueChallengerBetter(3, -2))
                .hasMessageContaining("c (challenger-only correct) must be >= 0, got -2");
        assertThatThrownBy(() -> McNemar.twoSidedPValue(Long.MAX_VALUE, 1)).hasMessageContaining("overflows");
    }

    @Test
    void discordantPairsAreCountedFromPerExampleCorrectness() {
        boolean[] champion = {true, true, false, false, true, false};
        boolean[] challenger = {true, false, true, false, false, true};
        DiscordantPairs pairs = DiscordantPairs.of(champion, challenger);
        assertThat(pairs.championOnly()).isEqualTo(2);   // examples 1, 4
        assertThat(pairs.challengerOnly()).isEqualTo(2); // examples 2, 5
        assertThat(pairs.twoSidedPValue()).isEqualTo(1.0);
        assertThatThrownBy(() -> DiscordantPairs.of(new boolean[3], new boolean[4]))
                .hasMessageContaining("championCorrect has 3 examples but challengerCorrect has 4");
    }

    private static Offset<Double> relative(double expected, double tolerance) {
        return within(Math.max(Math.abs(expected) * tolerance, Double.MIN_NORMAL));
    }
}
