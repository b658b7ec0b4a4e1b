package dev.streamtune.dashboard;

import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.Split;
import dev.streamtune.dashboard.DashboardSnapshot.ChampionChange;
import dev.streamtune.dashboard.DashboardSnapshot.Confusion;
import dev.streamtune.dashboard.DashboardSnapshot.ConsumerStatus;
import dev.streamtune.dashboard.DashboardSnapshot.LagReport;
import dev.streamtune.dashboard.DashboardSnapshot.PrequentialPoint;
import dev.streamtune.dashboard.DashboardSnapshot.TaskView;
import dev.streamtune.dashboard.DashboardSnapshot.ThroughputPoint;
import dev.streamtune.dashboard.DashboardSnapshot.VersionView;
import dev.streamtune.schemas.MetricNames;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds metrics events, model updates and dead letters into the per-task picture the dashboard
 * shows. Thread-safe: the consumer folds, the lag poller reports, HTTP threads take snapshots and
 * wait for changes. Kafka-free, so every rule here is unit-tested without a broker.
 *
 * <p>Replays are harmless: the latest event for a (version, split) replaces the earlier one, so
 * re-reading the topics from the beginning after a restart rebuilds the same picture.
 */
public final class DashboardState {
    /** The reason shown for a dead letter that carries no reason header. */
    public static final String UNKNOWN_REASON = "UNKNOWN";

    private final int seriesLimit;
    private final Clock clock;
    private final Map<String, TaskState> tasks = new TreeMap<>();
    private final Map<String, Long> deadLetters = new TreeMap<>();
    private final Map<String, Long> recordsByTopic = new TreeMap<>();
    private long undecodable;
    private long ignored;
    private boolean consumerRunning;
    private String lastConsumerError;
    private LagReport lag = LagReport.NONE;

    private long revision;
    private DashboardSnapshot cached;

    public DashboardState(int seriesLimit, Clock clock) {
        if (seriesLimit < 1) {
            throw new IllegalArgumentException("seriesLimit must be at least 1, was " + seriesLimit);
        }
        this.seriesLimit = seriesLimit;
        this.clock = clock;
    }

    public DashboardState(int seriesLimit) {
        this(seriesLimit, Clock.systemUTC());
    }

    /** Folds one metrics event; returns false when the dashboard has no use for it. */
    public synchronized boolean fold(MetricsEvent event) {
        TaskState task = task(event.getTask());
        Map<String, Double> values = finite(event.getValues());
        long at = event.getTimestamp().toEpochMilli();
        boolean used = switch (event.getKind()) {
            case EVALUATION -> task.evaluation(event, values, at);
            case PREQUENTIAL -> task.prequential(values, at);
            case TRAINING -> task.training(event.getVersion(), values, at);
            case INGEST -> task.ingest(values);
            case OTHER -> MetricNames.TRAINERS_SOURCE.equals(event.getSource()) && task.trainer(values, at);
            default -> false;
        };
        if (!used) {
            ignored++;
        }
        changed();
        return used;
    }

    public synchronized void fold(ModelUpdate update) {
        TaskState task = task(update.getTask());
        task.update(update);
        changed();
    }

    public synchronized void foldDeadLetter(String reason) {
        String key = reason == null || reason.isBlank() ? UNKNOWN_REASON : reason;
        deadLetters.merge(key, 1L, Long::sum);
        changed();
    }

    /** Counts a record read from {@code topic} (whether or not it decoded). */
    public synchronized void countRecord(String topic) {
        recordsByTopic.merge(topic, 1L, Long::sum);
        changed();
    }

    public synchronized void countUndecodable() {
        undecodable++;
        changed();
    }

    public synchronized void consumerRunning(boolean running, String error) {
        if (running != consumerRunning || (error != null && !error.equals(lastConsumerError))) {
            consumerRunning = running;
            if (error != null) {
                lastConsumerError = error;
            }
            changed();
        }
    }

    public synchronized boolean consumerRunning() {
        return consumerRunning;
    }

    /** Replaces the lag picture; a poll that finds the same lags changes nothing (no event is pushed). */
    public synchronized void updateLag(LagReport report) {
        boolean same = report.groups().equals(lag.groups()) && java.util.Objects.equals(report.error(), lag.error());
        lag = report;
        if (!same) {
            changed();
        }
    }

    public synchronized long revision() {
        return revision;
    }

    /** The current picture; the same instance until something changes. */
    public synchronized DashboardSnapshot snapshot() {
        if (cached == null || cached.revision() != revision) {
            TreeMap<String, TaskView> views = new TreeMap<>();
            long now = clock.millis();
            tasks.forEach((name, task) -> views.put(name, task.view(name, now)));
            cached = new DashboardSnapshot(revision, clock.millis(),
                    new ConsumerStatus(consumerRunning, new TreeMap<>(recordsByTopic), undecodable, ignored,
                            lastConsumerError),
                    views, new TreeMap<>(deadLetters), lag);
        }
        return cached;
    }

    /**
     * Waits until the revision differs from {@code seen} or {@code timeout} passes; returns the
     * revision then current. Event streams block here between pushes.
     */
    public synchronized long awaitChange(long seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (revision == seen) {
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) {
                break;
            }
            wait(leftMillis);
        }
        return revision;
    }

    private void changed() {
        revision++;
        notifyAll();
    }

    private TaskState task(String name) {
        return tasks.computeIfAbsent(name, n -> new TaskState(seriesLimit));
    }

    /** NaN and infinities are dropped: a metric that is not a number is not shown (and would break JSON). */
    private static Map<String, Double> finite(Map<String, Double> values) {
        Map<String, Double> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** One task's mutable state; guarded by the enclosing state's lock. */
    private static final class TaskState {
        private final int seriesLimit;
        private final TreeMap<Long, VersionState> versions = new TreeMap<>();
        private final Deque<PrequentialPoint> prequential = new ArrayDeque<>();
        private final Deque<ThroughputPoint> throughput = new ArrayDeque<>();
        private final Deque<ChampionChange> history = new ArrayDeque<>();
        private Map<String, Double> ingest = Map.of();
        private Long championVersion;
        private long promotions;
        private long rollbacks;
        private DashboardSnapshot.TrainerState trainerState = DashboardSnapshot.TrainerState.NONE;
        private Long trainerReportedAt;
        private long trainerHeartbeatMillis;
        private long examplesTrained;

        TaskState(int seriesLimit) {
            this.seriesLimit = seriesLimit;
        }

        boolean evaluation(MetricsEvent event, Map<String, Double> values, long at) {
            Long version = event.getVersion();
            Split split = event.getSplit();
            if (version == null || (split != Split.VALIDATION && split != Split.TEST)) {
                return false;
            }
            VersionState state = version(version);
            Evaluation evaluation = new Evaluation(values, event.getLabels().stream().map(CharSequence::toString).toList(),
                    event.getConfusion(), at);
            if (split == Split.VALIDATION) {
                state.validation = evaluation;
            } else {
                state.test = evaluation;
            }
            return true;
        }

        boolean prequential(Map<String, Double> values, long at) {
            Double accuracy = values.get(MetricNames.PREQUENTIAL_ACCURACY);
            Double window = values.get(MetricNames.WINDOW_ACCURACY);
            if (accuracy == null && window == null) {
                return false;
            }
            Double examples = values.getOrDefault(MetricNames.EXAMPLES, values.get(MetricNames.EXAMPLES_SEEN));
            append(prequential, new PrequentialPoint(at, accuracy, window, examples));
            return true;
        }

        boolean training(Long version, Map<String, Double> values, long at) {
            Double loss = values.get(MetricNames.LOSS);
            Double speed = values.get(MetricNames.EXAMPLES_PER_S);
            Double seen = values.get(MetricNames.EXAMPLES_SEEN);
            if (seen != null) {
                examplesTrained = Math.max(examplesTrained, Math.round(seen));
            }
            if (loss == null && speed == null) {
                return seen != null;
            }
            if (version != null) {
                VersionState state = version(version);
                if (loss != null) {
                    state.trainingLoss = loss;
                }
                if (speed != null) {
                    state.examplesPerS = speed;
                }
            }
            if (speed != null) {
                append(throughput, new ThroughputPoint(at, version, speed));
            }
            return true;
        }

        /** A trainer supervisor's report; an older report than the last one (a replay out of order) is ignored. */
        boolean trainer(Map<String, Double> values, long at) {
            Double running = values.get(MetricNames.TRAINER_RUNNING);
            if (running == null) {
                return false;
            }
            if (trainerReportedAt != null && at < trainerReportedAt) {
                return true;
            }
            boolean failed = values.getOrDefault(MetricNames.TRAINER_FAILED, 0.0) > 0;
            trainerState = running > 0 ? DashboardSnapshot.TrainerState.TRAINING
                    : failed ? DashboardSnapshot.TrainerState.FAILED : DashboardSnapshot.TrainerState.STOPPED;
            trainerReportedAt = at;
            trainerHeartbeatMillis = Math.round(values.getOrDefault(MetricNames.TRAINER_HEARTBEAT_S, 30.0) * 1000);
            return true;
        }

        /** Said to train, but silent for three heartbeats: the supervisor that said so is gone. */
        private DashboardSnapshot.TrainerView trainerView(long now) {
            if (trainerReportedAt == null) {
                return DashboardSnapshot.TrainerView.NONE;
            }
            boolean silent = trainerState == DashboardSnapshot.TrainerState.TRAINING
                    && now - trainerReportedAt > 3 * trainerHeartbeatMillis;
            return new DashboardSnapshot.TrainerView(silent ? DashboardSnapshot.TrainerState.SILENT : trainerState,
                    trainerReportedAt);
        }

        boolean ingest(Map<String, Double> values) {
            if (values.isEmpty()) {
                return false;
            }
            ingest = Map.copyOf(values);
            return true;
        }

        void update(ModelUpdate update) {
            String technique = update.getModel() == null ? null : update.getModel().getTechnique();
            version(update.getVersion()).technique = technique;
            // an action this build does not know (read as UNKNOWN) goes into the history but does
            // not move the champion: guessing what it means could show the wrong serving version
            switch (update.getAction()) {
                case PROMOTE -> {
                    promotions++;
                    championVersion = update.getVersion();
                }
                case ROLLBACK -> {
                    rollbacks++;
                    championVersion = update.getVersion();
                }
                default -> { }
            }
            append(history, new ChampionChange(update.getAction().name(), update.getVersion(),
                    update.getPreviousVersion(), update.getReason(), technique,
                    finite(update.getValidationMetrics()), finite(update.getTestMetrics()),
                    update.getTimestamp().toEpochMilli()));
        }

        private VersionState version(long number) {
            return versions.computeIfAbsent(number, n -> new VersionState());
        }

        private <T> void append(Deque<T> series, T point) {
            series.addLast(point);
            while (series.size() > seriesLimit) {
                series.removeFirst();
            }
        }

        TaskView view(String name, long now) {
            List<VersionView> versionViews = new ArrayList<>(versions.size());
            versions.forEach((number, v) -> versionViews.add(v.view(number)));
            return new TaskView(name, championVersion, versionViews, new ArrayList<>(prequential),
                    new ArrayList<>(throughput), new ArrayList<>(history), championConfusion(), ingest, promotions, rollbacks,
                    trainerView(now), examplesTrained);
        }

        /** The champion's test matrix when the evaluator scored it on test, else its validation one. */
        private Confusion championConfusion() {
            if (championVersion == null) {
                return null;
            }
            VersionState champion = versions.get(championVersion);
            if (champion == null) {
                return null;
            }
            if (champion.test != null && champion.test.hasMatrix()) {
                return champion.test.confusion(championVersion, Split.TEST);
            }
            if (champion.validation != null && champion.validation.hasMatrix()) {
                return champion.validation.confusion(championVersion, Split.VALIDATION);
            }
            return null;
        }
    }

    private static final class VersionState {
        Evaluation validation;
        Evaluation test;
        Double trainingLoss;
        Double examplesPerS;
        String technique;

        VersionView view(long number) {
            Long evaluatedAt = validation == null ? null : validation.at();
            return new VersionView(number, validation == null ? Map.of() : validation.values(),
                    test == null ? Map.of() : test.values(), trainingLoss, examplesPerS, technique, evaluatedAt);
        }
    }

    private record Evaluation(Map<String, Double> values, List<String> labels, List<List<Long>> matrix, long at) {
        Evaluation {
            values = Map.copyOf(values);
            labels = List.copyOf(labels);
            matrix = matrix.stream().map(List::copyOf).toList();
        }

        /** Square, one row per label: anything else would be drawn wrong, so it is not drawn. */
        boolean hasMatrix() {
            return !labels.isEmpty() && matrix.size() == labels.size()
                    && matrix.stream().allMatch(row -> row.size() == labels.size());
        }

        Confusion confusion(long version, Split split) {
            return new Confusion(version, split.name(), labels, matrix);
        }
    }
}
