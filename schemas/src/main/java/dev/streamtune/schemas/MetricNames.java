package dev.streamtune.schemas;

/**
 * The names of the values a {@code MetricsEvent} carries, by kind. Producers (trainer, evaluator,
 * ingest) and consumers (dashboard, Prometheus exporter, tests) share these instead of strings.
 */
public final class MetricNames {
    private MetricNames() {}

    // kind EVALUATION: one version scored on one split (validation for every candidate, test for champions)
    public static final String ACCURACY = "accuracy";
    public static final String MACRO_F1 = "macro_f1";
    public static final String LOG_LOSS = "log_loss";
    public static final String ECE = "ece";
    public static final String EXAMPLES = "n";

    // kind PREQUENTIAL: each new train example predicted by the champion before it is learned
    public static final String PREQUENTIAL_ACCURACY = "prequential_accuracy";
    public static final String WINDOW_ACCURACY = "window_accuracy";

    // kind TRAINING: the trainer's progress, published with every candidate
    public static final String LOSS = "loss";
    public static final String EXAMPLES_PER_S = "examples_per_s";
    public static final String EXAMPLES_SEEN = "examples_seen";
    public static final String STEPS = "steps";

    // kind INGEST: cumulative counts; rejections as "rejected.<REASON>"
    public static final String ACCEPTED = "accepted";
    public static final String DEDUPED = "deduped";
    public static final String CORRECTIONS = "corrections";
    public static final String REJECTED_PREFIX = "rejected.";

    // kind OTHER from source "trainers": the trainer supervisor says which tasks have a running trainer,
    // when a trainer starts or stops and again every heartbeat_s while it runs (silence past a few beats
    // means the supervisor itself is gone)
    public static final String TRAINERS_SOURCE = "trainers";
    public static final String TRAINER_RUNNING = "trainer_running";
    public static final String TRAINER_FAILED = "trainer_failed";
    public static final String TRAINER_HEARTBEAT_S = "heartbeat_s";
}
