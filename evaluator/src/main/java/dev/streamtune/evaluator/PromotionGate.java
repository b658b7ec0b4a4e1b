package dev.streamtune.evaluator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether a challenger replaces its task's champion.
 *
 * <ul>
 *   <li>First version (no champion): at least {@code minValidationExamples} validation examples and macro-F1 ≥ the
 *       floor.
 *   <li>Later versions: the same examples for both, at least {@code minValidationExamples} of them, macro-F1 ≥ the
 *       champion's + the margin, <em>and</em> the one-sided exact McNemar test on their per-example correctness
 *       says the challenger is significantly better (p &lt; alpha).
 * </ul>
 * Both conditions are needed because each misses something: macro-F1 can rise by chance on a small validation set,
 * and McNemar looks at accuracy only, so it would pass a model that wins on the majority class while failing a
 * minority one. Every condition is checked and each failing one is named in the reason.
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

    /** Judges a task's first version, which has no champion to beat. */
    public GateDecision decideFirstVersion(ValidationScore challenger) {
        if (challenger == null) {
            throw new IllegalArgumentException("challenger must not be null");
        }
        List<String> failures = new ArrayList<>();
        int n = challenger.examples();
        if (n < config.minValidationExamples()) {
            failures.add(fmt("only %d validation examples, need at least %d", n, config.minValidationExamples()));
        }
        double delta = challenger.macroF1() - config.firstVersionMacroF1Floor();
        if (delta < -ROUNDING_SLACK) {
            failures.add(fmt("macro-F1 %.4f is below the first-version floor %.4f",
                    challenger.macroF1(), config.firstVersionMacroF1Floor()));
        }
        String numbers = fmt("first version: macro-F1 %.4f vs floor %.4f (delta %+.4f) on %d validation examples",
                challenger.macroF1(), config.firstVersionMacroF1Floor(), delta, n);
        return verdict(failures, numbers, Double.NaN, delta);
    }

    /** Judges a challenger against the current champion on the same validation examples, in the same order. */
    public GateDecision decide(ValidationScore challenger, ValidationScore champion) {
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
        return verdict(failures, numbers, p, delta);
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
