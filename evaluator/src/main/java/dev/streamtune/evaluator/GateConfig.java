package dev.streamtune.evaluator;

/**
 * When a challenger may replace its task's champion.
 *
 * @param minMacroF1Improvement how much the challenger's validation macro-F1 must exceed the champion's, in [0, 1)
 * @param alpha                 significance level of the one-sided exact McNemar test, in (0, 0.5]
 * @param firstVersionMacroF1Floor the validation macro-F1 a task's first version must reach, in [0, 1]; there is no
 *                              champion to beat, so this floor alone keeps a useless first model out
 * @param minValidationExamples the fewest validation examples a decision may rest on, >= 1
 */
public record GateConfig(double minMacroF1Improvement, double alpha, double firstVersionMacroF1Floor,
        int minValidationExamples) {

    public GateConfig {
        if (!(minMacroF1Improvement >= 0 && minMacroF1Improvement < 1)) {
            throw new IllegalArgumentException("minMacroF1Improvement must be in [0, 1), got " + minMacroF1Improvement);
        }
        // above 0.5 a one-sided test would "pass" a challenger that is no better than its champion
        if (!(alpha > 0 && alpha <= 0.5)) {
            throw new IllegalArgumentException("alpha must be in (0, 0.5], got " + alpha);
        }
        if (!(firstVersionMacroF1Floor >= 0 && firstVersionMacroF1Floor <= 1)) {
            throw new IllegalArgumentException("firstVersionMacroF1Floor must be in [0, 1], got " + firstVersionMacroF1Floor);
        }
        if (minValidationExamples < 1) {
            throw new IllegalArgumentException("minValidationExamples must be >= 1, got " + minValidationExamples);
        }
    }

    /**
     * Defaults: a 0.005 macro-F1 margin (half a point: below that the difference is noise on a validation set of a
     * few hundred), alpha 0.05, a first-version floor of 0.7 (a chance-level binary classifier scores about 0.5, and
     * on 200 examples its macro-F1 has a standard deviation near 0.035, so 0.7 is some six deviations away) and at
     * least 200 validation examples.
     */
    public static GateConfig defaults() {
        return new GateConfig(0.005, 0.05, 0.7, 200);
    }
}
