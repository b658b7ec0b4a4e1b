package dev.streamtune.trainer.service;

/**
 * A consistent-enough snapshot of a running trainer, for the demo and the status line.
 *
 * @param examplesTrained new examples trained on by this trainer (including before a restart)
 * @param steps optimizer steps taken
 * @param versionsPublished versions this process published (a re-publish after a crash included)
 * @param lastPublishedVersion the highest version of the task known to be on models.candidates, 0 if none
 * @param lastLoss loss of the last step, NaN before the first
 * @param examplesPerSecond trained examples per second over the last status interval
 * @param lag records of the features topic not yet handled, -1 before it is known
 * @param recordsSkipped records of other tasks or of validation/test splits (their offsets still advance)
 * @param unknownLabels train examples skipped because their label is not in a closed label set
 * @param malformed records skipped because they do not decode or do not fit (vector width, weight, backbone)
 * @param labels labels the head knows
 * @param poisonRecords records of tasks, models.candidates or models.updates skipped because they do not decode or
 *     make no sense (another task's declaration under this task's key, a version outside [1, 2^53]); each counted once
 */
public record TrainerCounters(long examplesTrained, long steps, long versionsPublished, long lastPublishedVersion,
        double lastLoss, double examplesPerSecond, long lag, long recordsSkipped, long unknownLabels, long malformed,
        int labels, long poisonRecords) {
    /** A trainer that has not started yet. */
    public static final TrainerCounters NONE = new TrainerCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
