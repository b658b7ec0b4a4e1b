package dev.streamtune.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PromotionGateTest {
    private static final GateConfig CONFIG = new GateConfig(0.01, 0.05, 100);
    private final PromotionGate gate = new PromotionGate(CONFIG);

    /*
     * A version that answers the majority class for everything is the baseline itself: no macro-F1 gain and no
     * discordant pair, so McNemar's p is 1. Even with no margin at all the test alone refuses it.
     */
    @Test
    void aFirstVersionThatOnlyPredictsTheMajorityClassIsRefused() {
        int[] truth = binaryTruth(600, 414);
        int[] alwaysHam = new int[600];
        ValidationScore score = score(truth, alwaysHam, 2);

        GateDecision decision = gate.decideFirstVersion(score);
        assertThat(decision.promote()).isFalse();
        assertThat(decision.delta()).isCloseTo(0, within(1e-12));
        assertThat(decision.pValue()).isEqualTo(1.0);
        assertThat(decision.reason()).startsWith("keep champion: macro-F1 gain +0.0000 over the majority baseline is "
                        + "below the margin 0.0100; McNemar p=1.000 against the majority baseline is not below alpha 0.05")
                .contains("baseline always predicts label #0, right on 414", "b=0", "c=0", "600 validation examples")
                .doesNotContain("only 600");

        GateDecision noMargin = new PromotionGate(new GateConfig(0, 0.05, 100)).decideFirstVersion(score);
        assertThat(noMargin.promote()).isFalse();
        assertThat(noMargin.reason()).startsWith("keep champion: McNemar p=1.000 against the majority baseline");

        // the majority is whichever label is most frequent, not the first one: all-spam on a spam-heavy set is refused too
        int[] spamHeavy = new int[600];
        int[] alwaysSpam = new int[600];
        for (int i = 0; i < 600; i++) {
            spamHeavy[i] = i < 200 ? 0 : 1;
            alwaysSpam[i] = 1;
        }
        GateDecision spam = gate.decideFirstVersion(score(spamHeavy, alwaysSpam, 2));
        assertThat(spam.promote()).isFalse();
        assertThat(spam.reason()).contains("baseline always predicts label #1, right on 400", "p=1.000");
    }

    /*
     * 605 examples, 417 ham and 188 spam; the version is wrong on 30 ham and 20 spam. The baseline answers ham:
     * right on 417, macro-F1 (2 * 417 / (605 + 417)) / 2 = 417 / 1022. Discordant pairs: b = 30 ham the version
     * gets wrong, c = 168 spam it gets right.
     */
    @Test
    void aClearlyBetterFirstVersionOnEnoughExamplesIsPromoted() {
        int n = 605;
        int[] truth = binaryTruth(n, 417);
        int[] predicted = truth.clone();
        for (int i = 0; i < 30; i++) {
            predicted[i] = 1;
        }
        for (int i = n - 20; i < n; i++) {
            predicted[i] = 0;
        }
        ValidationScore score = score(truth, predicted, 2);
        double baselineMacroF1 = 417.0 / 1022;
        double expectedP = McNemar.oneSidedPValueChallengerBetter(30, 168);

        GateDecision decision = gate.decideFirstVersion(score);
        assertThat(decision.promote()).as(decision.reason()).isTrue();
        assertThat(decision.delta()).isCloseTo(score.macroF1() - baselineMacroF1, within(1e-12));
        assertThat(decision.pValue()).isEqualTo(expectedP).isLessThan(1e-20);
        assertThat(decision.reason()).isEqualTo(String.format(Locale.ROOT, "promote: first version: macro-F1 %.4f vs "
                        + "majority baseline %.4f (delta %+.4f, margin 0.0100; baseline always predicts label #0, right "
                        + "on 417); exact McNemar one-sided p=%.4g (alpha 0.05000; baseline-only correct b=30, "
                        + "challenger-only correct c=168) on 605 validation examples", score.macroF1(), baselineMacroF1,
                score.macroF1() - baselineMacroF1, expectedP));
        assertThat(decision.reason()).contains("vs majority baseline 0.4080");
        // no champion: decide() judges it the same way
        assertThat(gate.decide(score, null)).isEqualTo(decision);
    }

    /*
     * Balanced, so the baseline answers the first label (a tie) and is right on half. The version is right on 40 of
     * 60 ham and 28 of 60 spam: macro-F1 about 0.56 against the baseline's 1/3, far past the margin, but only
     * b = 20 vs c = 28 discordant pairs, p = P(X <= 20 | 48) = 0.156. Ten times the examples in the same
     * proportions (b = 200, c = 280) is significant, so what refuses it is the evidence, not the model.
     */
    @Test
    void aSlightlyBetterFirstVersionOnTooFewExamplesIsRefusedAsNotSignificant() {
        GateDecision few = gate.decideFirstVersion(slightlyBetter(1));
        assertThat(few.promote()).isFalse();
        assertThat(few.pValue()).isEqualTo(McNemar.oneSidedPValueChallengerBetter(20, 28)).isGreaterThan(0.15);
        assertThat(few.delta()).isGreaterThan(0.2);
        assertThat(few.reason()).startsWith("keep champion: McNemar p=0.1562")
                .contains("against the majority baseline is not below alpha 0.05", "vs majority baseline 0.3333",
                        "baseline always predicts label #0, right on 60", "b=20", "c=28", "120 validation examples")
                .doesNotContain("below the margin").doesNotContain("only 120");

        GateDecision many = gate.decideFirstVersion(slightlyBetter(10));
        assertThat(many.promote()).as(many.reason()).isTrue();
        assertThat(many.pValue()).isLessThan(0.001);

        // below the minimum the examples are named too, however large the gain
        GateDecision belowMinimum = new PromotionGate(CONFIG.withMinValidationExamples(200))
                .decideFirstVersion(slightlyBetter(1));
        assertThat(belowMinimum.reason()).contains("only 120 validation examples, need at least 200", "McNemar p=0.1562");
    }

    /*
     * Ten balanced classes of 60. The baseline answers label 0 (the tie goes to the first label): right on 60,
     * macro-F1 (2 * 60 / 660) / 10 = 0.018. The version gets 21 of each class's 60 right and calls the rest the
     * next class, so every class has precision = recall = 0.35 and macro-F1 is 0.35: half the old 0.7 floor, which
     * would never have let this task have a champion. Against the baseline, b = 39 and c = 189.
     */
    @Test
    void aTenClassFirstVersionWellAboveTheMajorityIsPromotedThoughFarBelowAnyFixedFloor() {
        int k = 10;
        int n = 600;
        int[] truth = new int[n];
        int[] predicted = new int[n];
        int[] seen = new int[k];
        for (int i = 0; i < n; i++) {
            truth[i] = i % k;
            predicted[i] = seen[truth[i]]++ < 21 ? truth[i] : (truth[i] + 1) % k;
        }
        ValidationScore score = score(truth, predicted, k);
        assertThat(score.macroF1()).isCloseTo(0.35, within(1e-12));

        GateDecision decision = new PromotionGate(GateConfig.defaults()).decideFirstVersion(score);
        assertThat(decision.promote()).as(decision.reason()).isTrue();
        assertThat(decision.delta()).isCloseTo(0.35 - 12.0 / 660, within(1e-12));
        assertThat(decision.pValue()).isEqualTo(McNemar.oneSidedPValueChallengerBetter(39, 189));
        assertThat(decision.reason()).startsWith("promote: first version: macro-F1 0.3500 vs majority baseline 0.0182")
                .contains("baseline always predicts label #0, right on 60", "b=39", "c=189", "600 validation examples");
    }

    @Test
    void aFirstVersionNeedsTheTrueLabelsOfItsValidationExamples() {
        assertThatThrownBy(() -> gate.decideFirstVersion(new ValidationScore(0.9, new boolean[150])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must carry their true labels");
        assertThatThrownBy(() -> gate.decide(new ValidationScore(0.9, new boolean[150]), null))
                .hasMessageContaining("majority baseline");
        assertThatThrownBy(() -> new ValidationScore(0.9, new boolean[3], new int[2]))
                .hasMessageContaining("trueLabels has 2 examples but correct has 3");
        assertThatThrownBy(() -> new ValidationScore(0.9, new boolean[2], new int[] {0, -1}))
                .hasMessageContaining("trueLabels[1] = -1");
    }

    /*
     * Power on the first version: a real model (85% right on both classes) on 300 SpamAssassin-like examples is
     * promoted in every one of 200 simulated sets; the baseline is right on ~69%, but b ≈ 31 vs c ≈ 79.
     */
    @Test
    void aRealFirstVersionIsPromotedOnEveryRealisticSet() {
        PromotionGate realistic = new PromotionGate(GateConfig.defaults());
        for (int seed = 0; seed < 200; seed++) {
            Random random = new Random(5000 + seed);
            int n = 300;
            int[] truth = new int[n];
            int[] predicted = new int[n];
            for (int i = 0; i < n; i++) {
                truth[i] = random.nextDouble() < 0.31 ? 1 : 0;
                predicted[i] = random.nextDouble() < 0.85 ? truth[i] : 1 - truth[i];
            }
            GateDecision decision = realistic.decideFirstVersion(score(truth, predicted, 2, random));
            assertThat(decision.promote()).as("seed %d: %s", seed, decision.reason()).isTrue();
        }
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
     * realistic champion (~90% right) it must never be promoted, and as a first version it must never beat the majority
     * baseline (ham, right on ~69%; the shuffled one is right on ~57%).
     * 500 simulated validation sets of 600 examples, SpamAssassin's spam share (1,896 / 6,046 = 31%).
     */
    @Test
    void aChallengerTrainedOnShuffledLabelsIsNeverPromoted() {
        PromotionGate realistic = new PromotionGate(GateConfig.defaults());
        List<String> labels = List.of("ham", "spam");
        double spamShare = 1896.0 / 6046;
        double bestShuffledMacroF1 = 0;
        double smallestPValue = 1;
        double smallestFirstVersionPValue = 1;
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
            // its macro-F1 (~0.5) beats the baseline's (~0.41) by far more than the margin: McNemar refuses it
            assertThat(asFirst.delta()).as("seed %d as first version: %s", seed, asFirst.reason()).isPositive();

            bestShuffledMacroF1 = Math.max(bestShuffledMacroF1, shuffled.macroF1());
            smallestPValue = Math.min(smallestPValue, versusChampion.pValue());
            smallestFirstVersionPValue = Math.min(smallestFirstVersionPValue, asFirst.pValue());
        }
        System.out.printf("shuffled-label challenger over 500 sets: best macro-F1 %.4f, smallest McNemar p %.4g vs "
                + "champion, %.4g vs majority baseline%n", bestShuffledMacroF1, smallestPValue, smallestFirstVersionPValue);
        assertThat(bestShuffledMacroF1).isLessThan(0.62);
        assertThat(smallestPValue).isGreaterThan(0.99);
        assertThat(smallestFirstVersionPValue).isGreaterThan(0.99);
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

    /** {@code ham} true labels (0) first, then spam (1). */
    private static int[] binaryTruth(int n, int ham) {
        int[] truth = new int[n];
        for (int i = ham; i < n; i++) {
            truth[i] = 1;
        }
        return truth;
    }

    /** 60 ham, 60 spam per copy: right on the first 40 ham and the first 28 spam of each. */
    private static ValidationScore slightlyBetter(int copies) {
        int n = 120 * copies;
        int[] truth = new int[n];
        int[] predicted = new int[n];
        for (int i = 0; i < n; i++) {
            int j = i % 120;
            truth[i] = j < 60 ? 0 : 1;
            boolean right = j < 60 ? j < 40 : j - 60 < 28;
            predicted[i] = right ? truth[i] : 1 - truth[i];
        }
        return score(truth, predicted, 2);
    }

    private static ValidationScore score(int[] truth, int[] predicted, int k) {
        return score(truth, predicted, k, new Random(7));
    }

    /** The score the evaluator would compute for these predictions: through ClassificationMetrics, true labels and all. */
    private static ValidationScore score(int[] truth, int[] predicted, int k, Random random) {
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            labels.add(k == 2 ? List.of("ham", "spam").get(c) : "class" + c);
        }
        return ValidationScore.of(ClassificationMetrics.evaluate(truth, rows(predicted, k, random), labels));
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
