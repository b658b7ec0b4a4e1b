package dev.streamtune.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Refresh promotions: a non-inferior challenger trained on more data keeps serving fresh. */
class PromotionGateRefreshTest {
    private static final GateConfig STRICT = new GateConfig(0.01, 0.05, 100);
    private static final GateConfig REFRESHING = STRICT.withRefreshTolerance(0.01);

    @Test
    void refreshIsOffByDefaultAndTheToleranceIsValidated() {
        assertThat(GateConfig.defaults().refreshEnabled()).isFalse();
        assertThat(STRICT.refreshEnabled()).isFalse();
        assertThat(REFRESHING.refreshEnabled()).isTrue();
        assertThat(REFRESHING.refreshTolerance()).isEqualTo(0.01);
        assertThat(REFRESHING.withoutRefresh()).isEqualTo(STRICT);
        assertThat(STRICT.withRefreshTolerance(0).refreshEnabled()).isTrue();
        assertThatThrownBy(() -> STRICT.withRefreshTolerance(-0.01))
                .hasMessage("refreshTolerance must be in [0, 1), or NaN to disable refresh promotions, got -0.01");
        assertThatThrownBy(() -> STRICT.withRefreshTolerance(1.0)).hasMessageContaining("refreshTolerance");
        assertThatThrownBy(() -> STRICT.withRefreshTolerance(Double.POSITIVE_INFINITY)).hasMessageContaining("refreshTolerance");
        assertThat(STRICT.withMinValidationExamples(50).minValidationExamples()).isEqualTo(50);
    }

    /* b = c = 20 on 1000 examples, same macro-F1: no evidence either way. */
    @Test
    void anEquallyGoodChallengerTrainedOnMoreDataIsPromotedAsRefreshOnlyWhenEnabled() {
        boolean[][] pair = pairedOutcomes(1000, 900, 20, 20);
        ValidationScore challenger = new ValidationScore(0.90, pair[1]);
        ValidationScore champion = new ValidationScore(0.90, pair[0]);

        GateDecision refreshed = new PromotionGate(REFRESHING).decide(challenger, champion, 1200, 1000);
        assertThat(refreshed.promote()).as(refreshed.reason()).isTrue();
        assertThat(refreshed.refresh()).isTrue();
        assertThat(refreshed.reason()).startsWith("refresh: not significantly better (macro-F1 gain +0.0000 is below the margin")
                .contains("non-inferior within 0.0100", "trained on 1200 examples vs champion's 1000", "b=20", "c=20");

        GateDecision strict = new PromotionGate(STRICT).decide(challenger, champion, 1200, 1000);
        assertThat(strict.promote()).as(strict.reason()).isFalse();
        assertThat(strict.refresh()).isFalse();
        assertThat(strict.reason()).startsWith("keep champion:").doesNotContain("refresh");

        // without data amounts the gate cannot know the challenger is fresher
        assertThat(new PromotionGate(REFRESHING).decide(challenger, champion).promote()).isFalse();
    }

    @Test
    void aChallengerTrainedOnNoMoreDataIsNotARefresh() {
        boolean[][] pair = pairedOutcomes(1000, 900, 20, 20);
        GateDecision decision = new PromotionGate(REFRESHING)
                .decide(new ValidationScore(0.90, pair[1]), new ValidationScore(0.90, pair[0]), 1000, 1000);
        assertThat(decision.promote()).isFalse();
        assertThat(decision.reason()).contains("no refresh: trained on 1000 examples, not more than the champion's 1000");
    }

    @Test
    void aSlightlyWorseChallengerBeyondTheToleranceIsRefused() {
        boolean[][] pair = pairedOutcomes(1000, 900, 25, 20);
        GateDecision decision = new PromotionGate(REFRESHING)
                .decide(new ValidationScore(0.885, pair[1]), new ValidationScore(0.90, pair[0]), 5000, 1000);
        assertThat(decision.promote()).as(decision.reason()).isFalse();
        assertThat(decision.reason()).contains("no refresh: macro-F1 loss -0.0150 is beyond the refresh tolerance 0.0100")
                .doesNotContain("champion better\" is below alpha");
    }

    /* Inside the tolerance on macro-F1, but b = 40 against c = 15: champion-better p = P(X <= 15 | n = 55) ≈ 5e-4. */
    @Test
    void aChallengerWithSignificantlyMoreErrorsIsRefusedEvenInsideTheTolerance() {
        boolean[][] pair = pairedOutcomes(1000, 900, 40, 15);
        GateDecision decision = new PromotionGate(REFRESHING)
                .decide(new ValidationScore(0.895, pair[1]), new ValidationScore(0.90, pair[0]), 5000, 1000);
        assertThat(decision.promote()).as(decision.reason()).isFalse();
        assertThat(decision.reason()).contains("for \"champion better\" is below alpha 0.05")
                .doesNotContain("beyond the refresh tolerance");
    }

    @Test
    void aSignificantlyBetterChallengerIsStillAPlainPromotion() {
        boolean[][] pair = pairedOutcomes(1000, 900, 15, 60);
        GateDecision decision = new PromotionGate(REFRESHING)
                .decide(new ValidationScore(0.93, pair[1]), new ValidationScore(0.90, pair[0]), 1200, 1000);
        assertThat(decision.promote()).isTrue();
        assertThat(decision.refresh()).isFalse();
        assertThat(decision.reason()).startsWith("promote: ");
    }

    @Test
    void refreshNeedsEnoughValidationExamples() {
        boolean[][] pair = pairedOutcomes(60, 54, 1, 1);
        GateDecision decision = new PromotionGate(REFRESHING)
                .decide(new ValidationScore(0.90, pair[1]), new ValidationScore(0.90, pair[0]), 1200, 1000);
        assertThat(decision.promote()).isFalse();
        assertThat(decision.reason()).contains("no refresh: only 60 validation examples");
    }

    /*
     * Shuffled labels with refresh on and the most permissive setting that still makes sense (tolerance 0.05): the
     * challenger has seen more data, yet it is neither better nor non-inferior on any of 300 validation sets.
     */
    @Test
    void aChallengerTrainedOnShuffledLabelsIsNeverPromotedEvenAsRefresh() {
        PromotionGate gate = new PromotionGate(GateConfig.defaults().withRefreshTolerance(0.05));
        List<String> labels = List.of("ham", "spam");
        double spamShare = 1896.0 / 6046;
        for (int seed = 0; seed < 300; seed++) {
            Random random = new Random(seed);
            int n = 400;
            int[] truth = new int[n];
            int[] championPredicted = new int[n];
            int[] shuffledPredicted = new int[n];
            for (int i = 0; i < n; i++) {
                truth[i] = random.nextDouble() < spamShare ? 1 : 0;
                championPredicted[i] = random.nextDouble() < 0.9 ? truth[i] : 1 - truth[i];
                shuffledPredicted[i] = random.nextDouble() < spamShare ? 1 : 0;
            }
            ClassificationMetrics champion = ClassificationMetrics.evaluate(truth, rows(championPredicted, random), labels);
            ClassificationMetrics shuffled = ClassificationMetrics.evaluate(truth, rows(shuffledPredicted, random), labels);
            GateDecision decision = gate.decide(ValidationScore.of(shuffled), ValidationScore.of(champion), 10_000, 1_000);
            assertThat(decision.promote()).as("seed %d: %s", seed, decision.reason()).isFalse();
            assertThat(decision.reason()).contains("beyond the refresh tolerance", "for \"champion better\" is below alpha");
        }
    }

    private static double[][] rows(int[] predicted, Random random) {
        double[][] rows = new double[predicted.length][2];
        for (int i = 0; i < predicted.length; i++) {
            double confidence = 0.55 + 0.44 * random.nextDouble();
            rows[i][predicted[i]] = confidence;
            rows[i][1 - predicted[i]] = 1 - confidence;
        }
        return rows;
    }

    /** {champion, challenger}: champion right on the first championRight; challenger flips b of those and c of the rest. */
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
