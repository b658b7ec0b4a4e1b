package dev.streamtune.evaluator;

/**
 * When a challenger may replace its task's champion, or a task's first version may become its first champion.
 *
 * @param minMacroF1Improvement how much the challenger's validation macro-F1 must exceed the reference's, in [0, 1):
 *                              the champion's, or for a first version the majority baseline's (see
 *                              {@link MajorityBaseline})
 * @param alpha                 significance level of the one-sided exact McNemar test, in (0, 0.5]; the same test
 *                              pairs a challenger with its champion and a first version with the majority baseline
 * @param minValidationExamples the fewest validation examples a decision may rest on, >= 1
 * @param refreshTolerance      enables "refresh" promotions when finite and in [0, 1); NaN disables them (the
 *                              default). A challenger that is not significantly better is still promoted when it was
 *                              trained on strictly more data than the champion, its macro-F1 is at least the
 *                              champion's minus this tolerance, and the one-sided exact McNemar test finds no
 *                              evidence that the champion is better (p &gt;= alpha). Without it a converged task never
 *                              promotes again and new data never reaches serving; see {@link PromotionGate}.
 * @param maxLabels             the most labels a version may be judged on, in [2, 100,000]: its own and those of the
 *                              held-out examples it is scored on, together. A version over it is refused unscored,
 *                              before its weights are loaded, and the champion stays: scoring allocates a probability
 *                              per label and example, so a task with tens of thousands of labels would exhaust the
 *                              evaluator's memory. Default {@value #DEFAULT_MAX_LABELS}, ingest's default limit of labels
 *                              per open task; raise both together
 */
public record GateConfig(double minMacroF1Improvement, double alpha, int minValidationExamples,
        double refreshTolerance, int maxLabels) {

    /** Ingest's default {@code maxLabelsPerTask}: a task ingest grows by default is never refused here. */
    public static final int DEFAULT_MAX_LABELS = 1_000;

    /** A gate without refresh promotions: only a significantly better challenger replaces the champion. */
    public GateConfig(double minMacroF1Improvement, double alpha, int minValidationExamples) {
        this(minMacroF1Improvement, alpha, minValidationExamples, Double.NaN);
    }

    /** A gate with the default label limit. */
    public GateConfig(double minMacroF1Improvement, double alpha, int minValidationExamples, double refreshTolerance) {
        this(minMacroF1Improvement, alpha, minValidationExamples, refreshTolerance, DEFAULT_MAX_LABELS);
    }

    public GateConfig {
        if (!(minMacroF1Improvement >= 0 && minMacroF1Improvement < 1)) {
            throw new IllegalArgumentException("minMacroF1Improvement must be in [0, 1), got " + minMacroF1Improvement);
        }
        // above 0.5 a one-sided test would "pass" a challenger that is no better than its champion
        if (!(alpha > 0 && alpha <= 0.5)) {
            throw new IllegalArgumentException("alpha must be in (0, 0.5], got " + alpha);
        }
        if (minValidationExamples < 1) {
            throw new IllegalArgumentException("minValidationExamples must be >= 1, got " + minValidationExamples);
        }
        // NaN is the explicit "off"; anything else must be a usable tolerance (a negative or infinite one is a typo)
        if (!Double.isNaN(refreshTolerance) && !(refreshTolerance >= 0 && refreshTolerance < 1)) {
            throw new IllegalArgumentException("refreshTolerance must be in [0, 1), or NaN to disable refresh "
                    + "promotions, got " + refreshTolerance);
        }
        if (maxLabels < 2 || maxLabels > 100_000) {
            throw new IllegalArgumentException("maxLabels must be in [2, 100000], got " + maxLabels);
        }
    }

    /** Whether a non-inferior challenger trained on more data is promoted as a refresh. */
    public boolean refreshEnabled() {
        return !Double.isNaN(refreshTolerance);
    }

    /** This gate with refresh promotions at the given macro-F1 tolerance, in [0, 1). */
    public GateConfig withRefreshTolerance(double tolerance) {
        return new GateConfig(minMacroF1Improvement, alpha, minValidationExamples, tolerance, maxLabels);
    }

    /** This gate without refresh promotions. */
    public GateConfig withoutRefresh() {
        return new GateConfig(minMacroF1Improvement, alpha, minValidationExamples, Double.NaN, maxLabels);
    }

    /** This gate needing at least {@code examples} validation examples per decision. */
    public GateConfig withMinValidationExamples(int examples) {
        return new GateConfig(minMacroF1Improvement, alpha, examples, refreshTolerance, maxLabels);
    }

    /** This gate judging versions of at most {@code labels} labels. */
    public GateConfig withMaxLabels(int labels) {
        return new GateConfig(minMacroF1Improvement, alpha, minValidationExamples, refreshTolerance, labels);
    }

    /**
     * Defaults: a 0.005 macro-F1 margin (half a point: below that the difference is noise on a validation set of a
     * few hundred), alpha 0.05 and at least 200 validation examples; refresh promotions off. A first version must
     * clear the same margin and test against the majority baseline, so there is no absolute macro-F1 floor: what a
     * task can reach depends on its classes and its label noise, and a floor tuned for binary spam would keep a
     * ten-class task without a champion forever.
     */
    public static GateConfig defaults() {
        return new GateConfig(0.005, 0.05, 200);
    }
}
