package dev.streamtune.dashboard;

import dev.streamtune.dashboard.DashboardSnapshot.GroupLag;
import dev.streamtune.dashboard.DashboardSnapshot.PrequentialPoint;
import dev.streamtune.dashboard.DashboardSnapshot.TaskView;
import dev.streamtune.dashboard.DashboardSnapshot.ThroughputPoint;
import dev.streamtune.dashboard.DashboardSnapshot.VersionView;
import dev.streamtune.schemas.MetricNames;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The dashboard's figures for Prometheus. Tasks, dead-letter reasons, consumer groups and topics
 * appear while the dashboard runs, so their meters are registered when first seen (at each
 * scrape); every meter reads the current {@link DashboardSnapshot}, never a copy that can go stale.
 * A figure not measured yet reads NaN, which Prometheus treats as "no value".
 */
public final class DashboardMetrics {
    private final DashboardState state;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Set<String> registered = new HashSet<>();

    public DashboardMetrics(DashboardState state, IntSupplier eventClients) {
        this(state, eventClients, () -> 0);
    }

    public DashboardMetrics(DashboardState state, IntSupplier eventClients, LongSupplier droppedEventClients) {
        this.state = state;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        Gauge.builder("streamtune.dashboard.event.clients", eventClients::getAsInt).strongReference(true)
                .description("Open /events streams").register(registry);
        FunctionCounter.builder("streamtune.dashboard.event.clients.dropped", droppedEventClients,
                        LongSupplier::getAsLong)
                .description("/events clients dropped for not keeping up (full queue or write timeout)")
                .register(registry);
        Gauge.builder("streamtune.dashboard.consumer.running", state, s -> s.consumerRunning() ? 1 : 0)
                .strongReference(true).description("1 while the background consumer reads the topics")
                .register(registry);
        FunctionCounter.builder("streamtune.dashboard.undecodable.records", state,
                        s -> s.snapshot().consumer().undecodable())
                .description("Records the dashboard could not decode and skipped").register(registry);
    }

    /** Prometheus text exposition of every figure, registering meters for anything new first. */
    public synchronized String scrape() {
        DashboardSnapshot snapshot = state.snapshot();
        snapshot.tasks().keySet().forEach(this::registerTask);
        snapshot.deadLetters().keySet().forEach(this::registerReason);
        snapshot.lag().groups().forEach(g -> registerGroup(g.group()));
        snapshot.consumer().records().keySet().forEach(this::registerTopic);
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    private void registerTask(String task) {
        if (!registered.add("task:" + task)) {
            return;
        }
        taskGauge(task, "streamtune.champion.version", "The serving version after the latest promotion or rollback",
                t -> t.championVersion() == null ? Double.NaN : t.championVersion());
        taskGauge(task, "streamtune.validation.macro_f1", "Validation macro-F1 of the latest evaluated version",
                t -> value(t.latestEvaluated(), true, MetricNames.MACRO_F1));
        taskGauge(task, "streamtune.validation.loss", "Validation log-loss of the latest evaluated version",
                t -> value(t.latestEvaluated(), true, MetricNames.LOG_LOSS));
        taskGauge(task, "streamtune.champion.validation.macro_f1", "Validation macro-F1 of the champion",
                t -> value(t.champion(), true, MetricNames.MACRO_F1));
        taskGauge(task, "streamtune.champion.test.macro_f1", "Test macro-F1 of the champion",
                t -> value(t.champion(), false, MetricNames.MACRO_F1));
        taskGauge(task, "streamtune.champion.test.accuracy", "Test accuracy of the champion",
                t -> value(t.champion(), false, MetricNames.ACCURACY));
        taskGauge(task, "streamtune.training.loss", "Training loss of the newest version that reported one",
                DashboardMetrics::latestTrainingLoss);
        taskGauge(task, "streamtune.prequential.accuracy", "Prequential accuracy, latest point",
                DashboardMetrics::latestPrequential);
        taskGauge(task, "streamtune.trained.examples.per.second", "Trainer speed, latest point",
                t -> t.throughput().isEmpty() ? Double.NaN : last(t.throughput()).examplesPerS());
        taskGauge(task, "streamtune.model.versions", "Versions seen (trained, evaluated or promoted)",
                t -> t.versions().size());
        for (String action : List.of("PROMOTE", "ROLLBACK")) {
            FunctionCounter.builder("streamtune.champion.changes", state,
                            s -> changes(s.snapshot().tasks().get(task), action))
                    .tag("task", task).tag("action", action)
                    .description("Promotions and rollbacks on models.updates").register(registry);
        }
    }

    private void taskGauge(String task, String name, String description, ToDoubleFunction<TaskView> read) {
        Gauge.builder(name, state, s -> {
                    TaskView view = s.snapshot().tasks().get(task);
                    return view == null ? Double.NaN : read.applyAsDouble(view);
                })
                .strongReference(true).tag("task", task).description(description).register(registry);
    }

    private void registerReason(String reason) {
        if (registered.add("reason:" + reason)) {
            FunctionCounter.builder("streamtune.dlq.records", state,
                            s -> s.snapshot().deadLetters().getOrDefault(reason, 0L))
                    .tag("reason", reason).description("Dead-letter records by reason header").register(registry);
        }
    }

    private void registerGroup(String group) {
        if (registered.add("group:" + group)) {
            Gauge.builder("streamtune.consumer.lag", state, s -> groupLag(s.snapshot(), group))
                    .strongReference(true).tag("group", group)
                    .description("End offsets minus committed offsets, summed over the group's partitions")
                    .register(registry);
        }
    }

    private void registerTopic(String topic) {
        if (registered.add("topic:" + topic)) {
            FunctionCounter.builder("streamtune.dashboard.records", state,
                            s -> s.snapshot().consumer().records().getOrDefault(topic, 0L))
                    .tag("topic", topic).description("Records the dashboard has read").register(registry);
        }
    }

    private static double value(VersionView version, boolean validation, String name) {
        if (version == null) {
            return Double.NaN;
        }
        Map<String, Double> values = validation ? version.validation() : version.test();
        return values.getOrDefault(name, Double.NaN);
    }

    private static double latestTrainingLoss(TaskView task) {
        List<VersionView> versions = task.versions();
        for (int i = versions.size() - 1; i >= 0; i--) {
            if (versions.get(i).trainingLoss() != null) {
                return versions.get(i).trainingLoss();
            }
        }
        return Double.NaN;
    }

    private static double latestPrequential(TaskView task) {
        List<PrequentialPoint> points = task.prequential();
        for (int i = points.size() - 1; i >= 0; i--) {
            if (points.get(i).accuracy() != null) {
                return points.get(i).accuracy();
            }
        }
        return Double.NaN;
    }

    private static double changes(TaskView task, String action) {
        if (task == null) {
            return 0;
        }
        return action.equals("PROMOTE") ? task.promotions() : task.rollbacks();
    }

    private static double groupLag(DashboardSnapshot snapshot, String group) {
        return snapshot.lag().groups().stream().filter(g -> g.group().equals(group))
                .mapToDouble(GroupLag::lag).findFirst().orElse(Double.NaN);
    }

    private static ThroughputPoint last(List<ThroughputPoint> points) {
        return points.get(points.size() - 1);
    }
}
