package dev.streamtune.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PromotionGateTest {
    private static final GateConfig CONFIG = new GateConfig(0.01, 0.05, 0.7, 100);
    private final PromotionGate gate = new PromotionGate(CONFIG);

    @Test
    void firstVersionAboveTheFloorIsPromoted() {
        GateDecision decision = gate.decideFirstVersion(new ValidationScore(0.82, new boolean[150]));
        assertThat(decision.promote()).isTrue();
        assertThat(decision.delta()).isCloseTo(0.12, within(1e-12));
        assertThat(decision.pValue()).isNaN();
        assertThat(decision.reason()).startsWith("promote: first version")
                .contains("macro-F1 0.8200 vs floor 0.7000", "delta +0.1200", "150 validation examples");
        assertThat(gate.decide(new ValidationScore(0.82, new boolean[150]), null)).isEqualTo(decision);
    }

    @Test
    void firstVersionBelowTheFloorOrOnTooFewExamplesIsKeptOut() {
        GateDecision low = gate.decideFirstVersion(new ValidationScore(0.69, new boolean[150]));
        assertThat(low.promote()).isFalse();
        assertThat(low.reason()).startsWith("keep champion: macro-F1 0.6900 is below the first-version floor 0.7000");

        GateDecision few = gate.decideFirstVersion(new ValidationScore(0.95, new boolean[99]));
        assertThat(few.promote()).isFalse();
        assertThat(few.reason()).contains("only 99 validation examples, need at least 100");

        GateDecision exactlyAtFloor = gate.decideFirstVersion(new ValidationScore(0.7, new boolean[100]));
        assertThat(exactlyAtFloor.promote()).isTrue();
    }

    /*
     * 1000 examples. Champion right on 900. The challenger fixes 60 of the champion's errors (c = 60) and breaks
     * 15 of its right answers (b = 15): one-sided p = P(X <= 15 | n = 75) ≈ 1.2e-7.
     */
    @Test
    void aSignificantlyBetterChallengerWithEnoughGainIsPromoted() {
        boolean[][] pair = pairedOutcomes(1000, 900, 15, 60);
        GateDecision decision = gate.decide(new ValidationScore(0.93, pair[1]), new ValidationScore(0.90, pair[0]));

        assertThat(decision.promote()).as(decision.reason()).isTrue();
        assertThat(decision.pValue()).isCloseTo(McNemar.oneSidedPValueChallengerBetter(15, 60), within(1e-18)).isLessThan(1e-6);
        assertThat(decision.delta()).isCloseTo(0.03, within(1e-12));
        assertThat(decision.reason()).startsWith("promote: macro-F1 0.9300 vs champion 0.9000")
                .contains("delta +0.0300", "margin 0.0100", "b=15", "c=60", "1000 validation examples", "alpha 0.05");
    }

    @Test
    void significantButTooSmallAGainIsKeptOutNamingTheMargin() {
        boolean[][] pair = pairedOutcomes(1000, 900, 15, 60);
        GateDecision decision = gate.decide(new ValidationScore(0.905, pair[1]), new ValidationScore(0.90, pair[0]));

        assertThat(decision.promote()).isFalse();
        assertThat(decision.reason()).startsWith("keep champion: macro-F1 gain +0.0050 is below the margin 0.0100")
                .doesNotContain("is not below alpha");
    }

    /* b = 3, c = 6: one-sided p = P(X <= 3 | n = 9) = (1 + 9 + 36 + 84) / 512 = 130/512 = 0.2539 */
    @Test
    void aBigGainOnTooFewDiscordantExamplesIsNotSignificant() {
        boolean[][] pair = pairedOutcomes(200, 180, 3, 6);
        GateDecision decision = gate.decide(new ValidationScore(0.95, pair[1]), new ValidationScore(0.90, pair[0]));

        assertThat(decision.promote()).isFalse();
        assertThat(decision.pValue()).isCloseTo(130.0 / 512, within(1e-15));
        assertThat(decision.reason()).startsWith("keep champion: McNemar p=0.2539 is not below alpha 0.05")
                .doesNotContain("below the margin");
    }

    @Test
    void everyFailingConditionIsNamed() {
        boolean[][] pair = pairedOutcomes(50, 45, 3, 1);
        GateDecision decision = gate.decide(new ValidationScore(0.80, pair[1]), new ValidationScore(0.90, pair[0]));
        assertThat(decision.promote()).isFalse();
        assertThat(decision.delta()).isCloseTo(-0.10, within(1e-12));
        assertThat(decision.reason()).contains("only 50 validation examples, need at least 100",
                "macro-F1 gain -0.1000 is below the margin", "is not below alpha");
    }

    @Test
    void aGainExactlyAtTheMarginCountsDespiteRounding() {
        boolean[][] pair = pairedOutcomes(1000, 900, 15, 60);
        // 0.81 - 0.80 is 0.010000000000000009 in doubles, 0.71 - 0.70 is 0.009999999999999953
        GateDecision decision = gate.decide(new ValidationScore(0.71, pair[1]), new ValidationScore(0.70, pair[0]));
        assertThat(decision.promote()).as(decision.reason()).isTrue();
    }

    @Test
    void scoresOnDifferentExampleSetsAreRefused() {
        assertThatThrownBy(() -> gate.decide(new ValidationScore(0.9, new boolean[300]), new ValidationScore(0.8, new boolean[301])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("challenger was scored on 300 validation examples but champion on 301");
        assertThatThrownBy(() -> new ValidationScore(1.2, new boolean[1])).hasMessageContaining("macroF1 must be in [0, 1], got 1.2");
        assertThatThrownBy(() -> new PromotionGate(null)).hasMessageContaining("config must not be null");
    }

    /*
     * The guard that matters most: a challenger trained on shuffled labels has learned nothing about the text, so its
     * predictions are independent of the truth (it still predicts spam at about the training prior, 31%). Against a
     * realistic champion (~90% right) it must never be promoted, and as a first version it must never clear the floor.
     * 500 simulated validation sets of 600 examples, SpamAssassin's spam share (1,896 / 6,046 = 31%).
     */
    @Test
    void aChallengerTrainedOnShuffledLabelsIsNeverPromoted() {
        PromotionGate realistic = new PromotionGate(GateConfig.defaults());
        List<String> labels = List.of("ham", "spam");
        double spamShare = 1896.0 / 6046;
        double bestShuffledMacroF1 = 0;
        double smallestPValue = 1;
        for (int seed = 0; seed < 500; seed++) {
            Random random = new Random(seed);
            int n = 600;
            int[] truth = new int[n];
            int[] championPredicted = new int[n];
            int[] shuffledPredicted = new int[n];
            for (int i = 0; i < n; i++) {
                truth[i] = random.nextDouble() < spamShare ? 1 : 0;
                championPredicted[i] = random.nextDouble() < 0.9 ? truth[i] : 1 - truth[i];
                shuffledPredicted[i] = random.nextDouble() < spamShare ? 1 : 0;
            }
            ClassificationMetrics champion = ClassificationMetrics.evaluate(truth, rows(championPredicted, 2, random), labels);
            ClassificationMetrics shuffled = ClassificationMetrics.evaluate(truth, rows(shuffledPredicted, 2, random), labels);

            GateDecision versusChampion = realistic.decide(ValidationScore.of(shuffled), ValidationScore.of(champion));
            assertThat(versusChampion.promote()).as("seed %d: %s", seed, versusChampion.reason()).isFalse();
            GateDecision asFirst = realistic.decideFirstVersion(ValidationScore.of(shuffled));
            assertThat(asFirst.promote()).as("seed %d as first version: %s", seed, asFirst.reason()).isFalse();

            bestShuffledMacroF1 = Math.max(bestShuffledMacroF1, shuffled.macroF1());
            smallestPValue = Math.min(smallestPValue, versusChampion.pValue());
        }
        System.out.printf("shuffled-label challenger over 500 sets: best macro-F1 %.4f (floor %.2f), smallest McNemar p %.4g%n",
                bestShuffledMacroF1, GateConfig.defaults().firstVersionMacroF1Floor(), smallestPValue);
        assertThat(bestShuffledMacroF1).isLessThan(0.62);
        assertThat(smallestPValue).isGreaterThan(0.99);
    }

    /*
     * The other side of the same gate: a challenger that really is better (it fixes 40% of the champion's errors and
     * breaks 1% of its right answers, ~90% -> ~93.5% accuracy) should almost always get through on 1,000 examples.
     */
    @Test
    void aGenuinelyBetterChallengerIsPromotedAlmostAlways() {
        PromotionGate realistic = new PromotionGate(GateConfig.defaults());
        List<String> labels = List.of("ham", "spam");
        int promoted = 0;
        int trials = 200;
        for (int seed = 0; seed < trials; seed++) {
            Random random = new Random(1000 + seed);
            int n = 1000;
            int[] truth = new int[n];
            int[] championPredicted = new int[n];
            int[] challengerPredicted = new int[n];
            for (int i = 0; i < n; i++) {
                truth[i] = random.nextDouble() < 0.31 ? 1 : 0;
                boolean championRight = random.nextDouble() < 0.9;
                boolean challengerRight = championRight ? random.nextDouble() >= 0.01 : random.nextDouble() < 0.4;
                championPredicted[i] = championRight ? truth[i] : 1 - truth[i];
                challengerPredicted[i] = challengerRight ? truth[i] : 1 - truth[i];
            }
            ClassificationMetrics champion = ClassificationMetrics.evaluate(truth, rows(championPredicted, 2, random), labels);
            ClassificationMetrics challenger = ClassificationMetrics.evaluate(truth, rows(challengerPredicted, 2, random), labels);
            if (realistic.decide(ValidationScore.of(challenger), ValidationScore.of(champion)).promote()) {
                promoted++;
            }
        }
        System.out.printf("genuinely better challenger (+~3.5 points accuracy): promoted in %d of %d sets%n", promoted, trials);
        assertThat(promoted).isGreaterThanOrEqualTo(190);
    }

    /** Probability rows whose arg-max is the given prediction, with a confidence spread like a real model's. */
    private static double[][] rows(int[] predicted, int k, Random random) {
        double[][] rows = new double[predicted.length][k];
        for (int i = 0; i < predicted.length; i++) {
            double confidence = 0.55 + 0.44 * random.nextDouble();
            for (int j = 0; j < k; j++) {
                rows[i][j] = j == predicted[i] ? confidence : (1 - confidence) / (k - 1);
            }
        }
        return rows;
    }

    /**
     * Per-example outcomes for a champion right on {@code championRight} of n examples, and a challenger that differs
     * on b of those (champion-only right) and c of the rest (challenger-only right). Returns {champion, challenger}.
     */
    private static boolean[][] pairedOutcomes(int n, int championRight, int b, int c) {
        boolean[] champion = new boolean[n];
        boolean[] challenger = new boolean[n];
        for (int i = 0; i < n; i++) {
            champion[i] = i < championRight;
            challenger[i] = champion[i];
        }
        for (int i = 0; i < b; i++) {
            challenger[i] = false;
        }
        for (int i = 0; i < c; i++) {
            challenger[championRight + i] = true;
        }
        return new boolean[][] {champion, challenger};
    }
}
