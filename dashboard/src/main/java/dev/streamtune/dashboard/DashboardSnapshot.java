package dev.streamtune.dashboard;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * An immutable view of everything the dashboard shows, as served by {@code /api/state} and pushed
 * on {@code /events}. Times are epoch milliseconds; a metric that was never measured is absent
 * (or null), never NaN, so the JSON stays valid for a browser's {@code JSON.parse}.
 *
 * @param revision    increases with every change; an event stream sends a snapshot when it moves
 * @param generatedAt when this view was taken
 * @param consumer    how far the background consumer has read
 * @param tasks       per task, by name
 * @param deadLetters dead-letter records by their reason header
 * @param lag         consumer lag per watched group, from the last poll
 */
public record DashboardSnapshot(
        long revision,
        long generatedAt,
        ConsumerStatus consumer,
        SortedMap<String, TaskView> tasks,
        SortedMap<String, Long> deadLetters,
        LagReport lag) {

    public DashboardSnapshot {
        tasks = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(tasks));
        deadLetters = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(deadLetters));
    }

    public long deadLettersTotal() {
        return deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Tasks with a running trainer, sorted: the "trainers: spam, sentiment" of status lines. */
    public java.util.List<String> trainedTasks() {
        return tasks.values().stream().filter(t -> t.trainer().state() == TrainerState.TRAINING).map(TaskView::task).toList();
    }

    /** Tasks known to have examples but no running trainer: their examples go nowhere, which must not be silent. */
    public java.util.List<String> untrainedTasksWithExamples() {
        return tasks.values().stream().filter(TaskView::untrained).map(TaskView::task).toList();
    }

    /**
     * @param running     whether the consumer thread is polling
     * @param records     records read, by topic
     * @param undecodable records that could not be decoded (counted, logged, skipped)
     * @param ignored     decoded records the dashboard has no use for (e.g. an evaluation without a version)
     * @param lastError   the last consumer error, if any
     */
    public record ConsumerStatus(boolean running, SortedMap<String, Long> records, long undecodable, long ignored,
                                 String lastError) {
        public ConsumerStatus {
            records = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(records));
        }
    }

    /**
     * @param championVersion the serving version after the latest promotion or rollback, null before any
     * @param versions        every version seen, by number
     * @param prequential     prequential accuracy over time, oldest first
     * @param throughput      trainer speed over time, oldest first
     * @param history         promotions and rollbacks, oldest first
     * @param confusion       the champion's confusion matrix (test split, else validation), null if unknown
     * @param ingest          the latest cumulative ingest counts (accepted, deduped, rejected.REASON ...)
     * @param promotions      PROMOTE updates seen (counted apart from the bounded history)
     * @param rollbacks       ROLLBACK updates seen
     * @param trainer         whether a trainer runs for the task, as its supervisor last said
     * @param examplesTrained the most examples a trainer of the task reported having seen (0 before any)
     */
    public record TaskView(
            String task,
            Long championVersion,
            List<VersionView> versions,
            List<PrequentialPoint> prequential,
            List<ThroughputPoint> throughput,
            List<ChampionChange> history,
            Confusion confusion,
            Map<String, Double> ingest,
            long promotions,
            long rollbacks,
            TrainerView trainer,
            long examplesTrained) {

        public TaskView {
            java.util.Objects.requireNonNull(trainer, "trainer (TrainerView.NONE when never reported)");
            versions = List.copyOf(versions);
            prequential = List.copyOf(prequential);
            throughput = List.copyOf(throughput);
            history = List.copyOf(history);
            ingest = Map.copyOf(ingest);
        }

        /** The entry of the champion version, or null. */
        public VersionView champion() {
            if (championVersion == null) {
                return null;
            }
            return versions.stream().filter(v -> v.version() == championVersion).findFirst().orElse(null);
        }

        /**
         * How many examples the task is known to have: ingest's accepted count when it reports one, else what
         * its trainers saw; 0 when nothing says.
         */
        public long examples() {
            Double accepted = ingest.get(dev.streamtune.schemas.MetricNames.ACCEPTED);
            return Math.max(accepted == null ? 0 : Math.round(accepted), examplesTrained);
        }

        /** Known to have examples, but no trainer running. */
        public boolean untrained() {
            return examples() > 0 && trainer.state() != TrainerState.TRAINING;
        }

        /** The highest version with a validation score, or null. */
        public VersionView latestEvaluated() {
            VersionView latest = null;
            for (VersionView v : versions) {
                if (!v.validation().isEmpty()) {
                    latest = v;
                }
            }
            return latest;
        }
    }

    /**
     * @param validation   the latest EVALUATION values on the validation split (macro_f1, accuracy, log_loss ...)
     * @param test         the latest EVALUATION values on the test split
     * @param trainingLoss the trainer's loss when it published this version
     * @param examplesPerS the trainer's speed when it published this version
     * @param technique    from the model update that named this version, if any
     */
    public record VersionView(long version, Map<String, Double> validation, Map<String, Double> test,
                              Double trainingLoss, Double examplesPerS, String technique, Long evaluatedAt) {
        public VersionView {
            validation = Map.copyOf(validation);
            test = Map.copyOf(test);
        }
    }

    /**
     * TRAINING: a trainer runs (its supervisor said so within the last three heartbeats); STOPPED: the task's
     * trainer was stopped (the task removed, or its supervisor shut down); FAILED: the trainer ended by itself;
     * SILENT: said to run, but no heartbeat for three intervals (its supervisor is gone); NONE: no trainer ever.
     */
    public enum TrainerState { TRAINING, STOPPED, FAILED, SILENT, NONE }

    /** @param reportedAt when the supervisor last reported, null for {@link TrainerState#NONE} */
    public record TrainerView(TrainerState state, Long reportedAt) {
        public static final TrainerView NONE = new TrainerView(TrainerState.NONE, null);

        public TrainerView {
            java.util.Objects.requireNonNull(state, "state");
        }
    }

    /** {@code examples} is the count of prequentially scored examples, when the event says it. */
    public record PrequentialPoint(long timestamp, Double accuracy, Double windowAccuracy, Double examples) {}

    public record ThroughputPoint(long timestamp, Long version, double examplesPerS) {}

    public record ChampionChange(String action, long version, Long previousVersion, String reason, String technique,
                                 Map<String, Double> validation, Map<String, Double> test, long timestamp) {
        public ChampionChange {
            validation = Map.copyOf(validation);
            test = Map.copyOf(test);
        }
    }

    /** Rows are true labels, columns predicted, both in {@code labels} order. */
    public record Confusion(long version, String split, List<String> labels, List<List<Long>> matrix) {
        public Confusion {
            labels = List.copyOf(labels);
            matrix = matrix.stream().map(List::copyOf).toList();
        }
    }

    /**
     * @param groups   one entry per watched group that has committed offsets
     * @param polledAt when the offsets were read, 0 before the first poll
     * @param error    why the last poll failed, or null
     */
    public record LagReport(List<GroupLag> groups, long polledAt, String error) {
        public static final LagReport NONE = new LagReport(List.of(), 0, null);

        public LagReport {
            groups = List.copyOf(groups);
        }
    }

    /** {@code lag} sums end offset minus committed offset over the group's partitions; {@code byTopic} splits it. */
    public record GroupLag(String group, long lag, int partitions, SortedMap<String, Long> byTopic) {
        public GroupLag {
            byTopic = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(byTopic));
        }
    }
}
