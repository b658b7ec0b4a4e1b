package dev.streamtune.evaluator;

/**
 * The gate's verdict on one challenger.
 *
 * @param promote whether the challenger becomes the champion
 * @param reason  a sentence an operator can read, with every number the decision rested on
 * @param pValue  the one-sided exact McNemar p-value for "challenger better" than the reference (the champion, or
 *                the majority baseline for a first version); NaN when no paired test was run
 * @param delta   challenger macro-F1 minus the reference's: the champion's macro-F1, or the majority baseline's for
 *                a first version
 */
public record GateDecision(boolean promote, String reason, double pValue, double delta) {
    public GateDecision {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason must be a non-blank string");
        }
    }

    /** Whether this is a refresh promotion: not significantly better, but non-inferior and trained on more data. */
    public boolean refresh() {
        return promote && reason.startsWith("refresh: ");
    }
}
