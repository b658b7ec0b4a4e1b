package dev.streamtune.evaluator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether a challenger replaces its task's champion.
 *
 * <ul>
 *   <li>Later versions: the same examples for both, at least {@code minValidationExamples} of them, macro-F1 ≥ the
 *       champion's + the margin, <em>and</em> the one-sided exact McNemar test on their per-example correctness
 *       says the challenger is significantly better (p &lt; alpha).
 *   <li>First version (no champion): the same rule, with the {@linkplain MajorityBaseline majority baseline} in the
 *       champion's place: the predictor that always answers the most frequent true label of the same validation
 *       examples (ties to the first label). At least {@code minValidationExamples} examples, macro-F1 ≥ the
 *       baseline's + the margin, and McNemar on the paired outcomes says the version is right significantly more
 *       often than the baseline.
 * </ul>
 * Both conditions are needed because each misses something: macro-F1 can rise by chance on a small validation set,
 * and McNemar looks at accuracy only, so it would pass a model that wins on the majority class while failing a
 * minority one. Against the baseline the macro-F1 margin alone is weak (a model that guesses at random with the
 * class prior beats the baseline's macro-F1 by far, since the baseline scores 0 on every minority class), so there
 * McNemar is what refuses a version that learned nothing. Every condition is checked and each failing one is named
 * in the reason.
 *
 * <p>There is no absolute floor: what a task's first version can reach depends on its classes and label noise, and
 * a fixed floor either lets a useless binary model through or keeps a many-class task without a champion forever.
 * The baseline moves with the task, and the test keeps the chance of promoting a first version that is no more
 * accurate than answering the most frequent label below alpha. The price, on a very imbalanced task, is that the
 * baseline is right on most examples, so a first version must be right more often overall: one that buys minority
 * recall with more majority-class mistakes than it gains is refused until it improves.
 *
 * <p><b>Refresh promotions</b> (when {@link GateConfig#refreshEnabled()}). Once a task's model has converged, a
 * later version is rarely <em>significantly</em> better than the champion, so under the rules above it is never
 * promoted: serving keeps a model that has not seen any example since convergence, and freshness (the time from a
 * labelled example to a served model that learned from it) grows without bound. A challenger that fails the
 * "better" test is therefore still promoted, with a reason starting {@code "refresh: "}, when all of these hold:
 * <ul>
 *   <li>it was trained on strictly more data: its cumulative examples seen exceed the champion's;
 *   <li>it is non-inferior within the tolerance: macro-F1 ≥ the champion's − {@code refreshTolerance};
 *   <li>there is no evidence that it is worse: the one-sided exact McNemar p-value for "the champion is right more
 *       often" is ≥ alpha (the mirror image of the test that promotes a better challenger);
 *   <li>the decision rests on at least {@code minValidationExamples} examples.
 * </ul>
 * The two non-inferiority checks guard different things, as the two "better" checks do: the tolerance bounds how
 * much macro-F1 (minority classes included) a refresh may give up, and McNemar refuses a challenger whose errors
 * outnumber the champion's by more than chance allows, even inside the tolerance. A degraded challenger (shuffled
 * labels, a poisoned batch) fails both by a wide margin, so refreshes keep serving fresh without admitting a
 * regression; and because each refresh is measured against the current champion, tolerances cannot be spent twice
 * on the same examples without McNemar seeing the accumulated gap.
 */
public final class PromotionGate {
    /** Macro-F1 sums of fractions carry rounding error; a delta this close to the margin counts as reaching it. */
    private static final double ROUNDING_SLACK = 1e-12;

    private final GateConfig config;

    public PromotionGate(GateConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.config = config;
    }

    public GateConfig config() {
        return config;
    }

    /**
     * Judges a task's first version, which has no champion to beat, against the majority baseline on the same
     * validation examples: the margin, the exact McNemar test and the minimum examples as for a challenger.
     *
     * @param challenger its score; must carry the examples' true labels ({@link ValidationScore#of}), from which
     *                   the baseline's per-example outcomes are built
     */
    public GateDecision decideFirstVersion(ValidationScore challenger) {
        if (challenger == null) {
            throw new IllegalArgumentException("challenger must not be null");
        }
        if (!challenger.hasTrueLabels()) {
            throw new IllegalArgumentException("a first version is judged against the majority baseline on the same "
                    + "validation examples, so its score must carry their true labels (ValidationScore.of(metrics))");
        }
        MajorityBaseline baseline = MajorityBaseline.of(challenger.trueLabels());
        List<String> failures = new ArrayList<>();
        int n = challenger.examples();
        if (n < config.minValidationExamples()) {
            failures.add(fmt("only %d validation examples, need at least %d", n, config.minValidationExamples()));
        }
        double delta = challenger.macroF1() - baseline.macroF1();
        if (delta < config.minMacroF1Improvement() - ROUNDING_SLACK) {
            failures.add(fmt("macro-F1 gain %+.4f over the majority baseline is below the margin %.4f", delta,
                    config.minMacroF1Improvement()));
        }
        DiscordantPairs pairs = DiscordantPairs.of(baseline.correct(), challenger.correct());
        double p = pairs.oneSidedPValueChallengerBetter();
        if (!(p < config.alpha())) {
            failures.add(fmt("McNemar p=%.4g against the majority baseline is not below alpha %.4g", p,
                    config.alpha()));
        }
        String numbers = fmt("first version: macro-F1 %.4f vs majority baseline %.4f (delta %+.4f, margin %.4f; "
                        + "baseline always predicts label #%d, right on %d); exact McNemar one-sided p=%.4g "
                        + "(alpha %.4g; baseline-only correct b=%d, challenger-only correct c=%d) on %d validation "
                        + "examples",
                challenger.macroF1(), baseline.macroF1(), delta, config.minMacroF1Improvement(), baseline.label(),
                baseline.rightCount(), p, config.alpha(), pairs.championOnly(), pairs.challengerOnly(), n);
        return verdict(failures, numbers, p, delta);
    }

    /**
     * Judges a challenger against the current champion on the same validation examples, in the same order, without
     * knowing how much data either was trained on: only a significantly better challenger is promoted (no refresh).
     */
    public GateDecision decide(ValidationScore challenger, ValidationScore champion) {
        return decide(challenger, champion, 0, 0);
    }

    /**
     * Judges a challenger against the current champion on the same validation examples, in the same order.
     *
     * @param challengerExamplesSeen cumulative training examples behind the challenger (its {@code examplesSeen})
     * @param championExamplesSeen   the same for the champion; a refresh needs the challenger's to be greater
     */
    public GateDecision decide(ValidationScore challenger, ValidationScore champion, long challengerExamplesSeen,
            long championExamplesSeen) {
        if (challenger == null) {
            throw new IllegalArgumentException("challenger must not be null");
        }
        if (champion == null) {
            return decideFirstVersion(challenger);
        }
        if (challenger.examples() != champion.examples()) {
            throw new IllegalArgumentException("challenger was scored on " + challenger.examples()
                    + " validation examples but champion on " + champion.examples()
                    + "; the paired test needs the same examples");
        }
        List<String> failures = new ArrayList<>();
        int n = challenger.examples();
        if (n < config.minValidationExamples()) {
            failures.add(fmt("only %d validation examples, need at least %d", n, config.minValidationExamples()));
        }
        double delta = challenger.macroF1() - champion.macroF1();
        if (delta < config.minMacroF1Improvement() - ROUNDING_SLACK) {
            failures.add(fmt("macro-F1 gain %+.4f is below the margin %.4f", delta, config.minMacroF1Improvement()));
        }
        DiscordantPairs pairs = DiscordantPairs.of(champion.correct(), challenger.correct());
        double p = pairs.oneSidedPValueChallengerBetter();
        if (!(p < config.alpha())) {
            failures.add(fmt("McNemar p=%.4g is not below alpha %.4g", p, config.alpha()));
        }
        String numbers = fmt("macro-F1 %.4f vs champion %.4f (delta %+.4f, margin %.4f); exact McNemar one-sided "
                        + "p=%.4g (alpha %.4g; champion-only correct b=%d, challenger-only correct c=%d) on %d validation examples",
                challenger.macroF1(), champion.macroF1(), delta, config.minMacroF1Improvement(), p, config.alpha(),
                pairs.championOnly(), pairs.challengerOnly(), n);
        if (failures.isEmpty() || !config.refreshEnabled()) {
            return verdict(failures, numbers, p, delta);
        }
        return refreshVerdict(failures, numbers, pairs, n, delta, p, challengerExamplesSeen, championExamplesSeen);
    }

    /** A challenger that is not better may still replace the champion as a refresh; see the class comment. */
    private GateDecision refreshVerdict(List<String> notBetter, String numbers, DiscordantPairs pairs, int n,
            double delta, double pBetter, long challengerExamplesSeen, long championExamplesSeen) {
        List<String> refreshFailures = new ArrayList<>();
        if (n < config.minValidationExamples()) {
            refreshFailures.add(fmt("only %d validation examples", n));
        }
        if (challengerExamplesSeen <= championExamplesSeen) {
            refreshFailures.add(fmt("trained on %d examples, not more than the champion's %d",
                    challengerExamplesSeen, championExamplesSeen));
        }
        if (delta < -config.refreshTolerance() - ROUNDING_SLACK) {
            refreshFailures.add(fmt("macro-F1 loss %+.4f is beyond the refresh tolerance %.4f", delta,
                    config.refreshTolerance()));
        }
        // mirror image of the "better" test: b and c swapped asks whether the champion is right more often
        double pWorse = McNemar.oneSidedPValueChallengerBetter(pairs.challengerOnly(), pairs.championOnly());
        if (pWorse < config.alpha()) {
            refreshFailures.add(fmt("McNemar p=%.4g for \"champion better\" is below alpha %.4g", pWorse,
                    config.alpha()));
        }
        String refreshNumbers = fmt("non-inferior within %.4f (champion-better p=%.4g), trained on %d examples vs "
                + "champion's %d", config.refreshTolerance(), pWorse, challengerExamplesSeen, championExamplesSeen);
        if (refreshFailures.isEmpty()) {
            return new GateDecision(true, "refresh: not significantly better (" + String.join("; ", notBetter)
                    + ") but " + refreshNumbers + ". " + numbers, pBetter, delta);
        }
        return new GateDecision(false, "keep champion: " + String.join("; ", notBetter) + "; no refresh: "
                + String.join("; ", refreshFailures) + ". " + numbers, pBetter, delta);
    }

    private static GateDecision verdict(List<String> failures, String numbers, double p, double delta) {
        if (failures.isEmpty()) {
            return new GateDecision(true, "promote: " + numbers, p, delta);
        }
        return new GateDecision(false, "keep champion: " + String.join("; ", failures) + ". " + numbers, p, delta);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
