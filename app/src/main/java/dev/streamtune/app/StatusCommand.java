package dev.streamtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamtune.dashboard.DashboardConfig;
import dev.streamtune.dashboard.DashboardRecords;
import dev.streamtune.dashboard.DashboardSnapshot;
import dev.streamtune.dashboard.DashboardSnapshot.GroupLag;
import dev.streamtune.dashboard.DashboardSnapshot.TaskView;
import dev.streamtune.dashboard.DashboardSnapshot.VersionView;
import dev.streamtune.dashboard.DashboardState;
import dev.streamtune.dashboard.LagMonitor;
import dev.streamtune.schemas.MetricNames;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What a running installation is doing, read once: each task's champion and its metrics, the newest
 * candidate, whether a trainer runs, consumer lag per stage and dead letters by reason. The facts are
 * the dashboard's: the same topics folded by the same {@link DashboardRecords} into a
 * {@link DashboardState}, and lag measured by the dashboard's {@link LagMonitor}.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Print each task's champion (version, metrics), newest candidate and trainer, consumer lag per stage",
                "and dead letters by reason, for a running installation: what the dashboard shows, once."})
final class StatusCommand implements Callable<Integer> {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--json", description = "Print one JSON object instead of the tables.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Report report = read(connection);
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report.asJson()));
        } else {
            report.print(System.out);
        }
        return 0;
    }

    /** The dashboard's picture of {@code connection}'s installation, read to the current end of its topics. */
    static Report read(ConnectionOptions connection) throws Exception {
        DashboardConfig config = DashboardConfig.of(0, connection.bootstrapServers, connection.registryUrl)
                .withTopics(connection.topics()).withKafkaClient(connection.kafkaClient());
        DashboardState state = new DashboardState(config.seriesLimit());
        DashboardRecords records = new DashboardRecords(config.topics(), state, connection.registry(), connection.serde());
        for (String topic : records.topics()) {
            for (ConsumerRecord<String, byte[]> r : TopicSnapshot.read(connection.kafka(), topic, READ_TIMEOUT)) {
                records.fold(r.topic(), r.partition(), r.offset(), r.value(), r.headers());
            }
        }
        String lagError = null;
        List<GroupLag> lag = List.of();
        try {
            lag = LagMonitor.measureOnce(config);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            lagError = "lag not measured: " + (e.getCause() != null ? e.getCause() : e);
        }
        return new Report(connection.bootstrapServers, state.snapshot(), lag, lagError);
    }

    record Report(String bootstrapServers, DashboardSnapshot snapshot, List<GroupLag> lag, String lagError) {

        /** The newest version of a task, the one the trainer published last, or null before any. */
        static VersionView newestCandidate(TaskView task) {
            return task.versions().isEmpty() ? null : task.versions().get(task.versions().size() - 1);
        }

        void print(PrintStream out) {
            out.println("streamtune status of " + bootstrapServers);
            out.println("trainers: " + CorpusRun.Progress.trainers(snapshot.trainedTasks()));
            if (snapshot.tasks().isEmpty()) {
                out.println("no task has metrics or versions yet");
            } else {
                out.printf("%-16s %-9s %-10s %-8s %-8s %-8s %-26s %-8s %-10s %s%n", "TASK", "CHAMPION", "TECHNIQUE",
                        "VAL F1", "TEST F1", "TEST ACC", "NEWEST CANDIDATE", "VERSIONS", "EXAMPLES", "TRAINER");
                for (TaskView task : snapshot.tasks().values()) {
                    VersionView champion = task.champion();
                    VersionView newest = newestCandidate(task);
                    out.printf("%-16s %-9s %-10s %-8s %-8s %-8s %-26s %-8d %-10d %s%n", task.task(),
                            task.championVersion() == null ? "none" : "v" + task.championVersion(),
                            champion == null || champion.technique() == null ? "-" : champion.technique(),
                            metric(champion == null ? null : champion.validation(), MetricNames.MACRO_F1),
                            metric(champion == null ? null : champion.test(), MetricNames.MACRO_F1),
                            metric(champion == null ? null : champion.test(), MetricNames.ACCURACY),
                            newest == null ? "none" : "v" + newest.version() + (newest.validation().isEmpty()
                                    ? " (not judged yet)" : " (val F1 " + metric(newest.validation(), MetricNames.MACRO_F1) + ")"),
                            task.versions().size(), task.examples(), task.trainer().state().name().toLowerCase());
                }
            }
            for (String task : snapshot.untrainedTasksWithExamples()) {
                TaskView view = snapshot.tasks().get(task);
                out.printf("warning: task %s has %d examples but no trainer (%s): declare it (streamtune task create) where a"
                        + " trainer follows the tasks topic (up, or serve trainer --all-tasks)%n", task,
                        view.examples(), view.trainer().state().name().toLowerCase());
            }
            out.println("consumer lag per stage:" + (lagError != null ? " " + lagError : lag.isEmpty() ? " no group has committed offsets" : ""));
            for (GroupLag group : lag) {
                out.printf("  %-11s %-36s %d%n", LagMonitor.stageOf(group.group()), group.group(), group.lag());
            }
            out.println("dead letters: " + snapshot.deadLettersTotal());
            snapshot.deadLetters().forEach((reason, count) -> out.printf("  %-28s %d%n", reason, count));
        }

        Map<String, Object> asJson() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("bootstrap_servers", bootstrapServers);
            out.put("trainers", snapshot.trainedTasks());
            out.put("untrained_with_examples", snapshot.untrainedTasksWithExamples());
            Map<String, Object> tasks = new LinkedHashMap<>();
            for (TaskView task : snapshot.tasks().values()) {
                Map<String, Object> t = new LinkedHashMap<>();
                VersionView champion = task.champion();
                t.put("champion", champion == null && task.championVersion() == null ? null
                        : version(champion, task.championVersion()));
                VersionView newest = newestCandidate(task);
                t.put("newest_candidate", newest == null ? null : version(newest, newest.version()));
                t.put("versions", task.versions().size());
                t.put("promotions", task.promotions());
                t.put("rollbacks", task.rollbacks());
                t.put("examples", task.examples());
                t.put("trainer", task.trainer().state().name().toLowerCase());
                tasks.put(task.task(), t);
            }
            out.put("tasks", tasks);
            List<Map<String, Object>> groups = new ArrayList<>();
            for (GroupLag group : lag) {
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("stage", LagMonitor.stageOf(group.group()));
                g.put("group", group.group());
                g.put("lag", group.lag());
                g.put("by_topic", group.byTopic());
                groups.add(g);
            }
            out.put("lag", groups);
            out.put("lag_error", lagError);
            out.put("dead_letters", snapshot.deadLetters());
            return out;
        }

        private static Map<String, Object> version(VersionView v, long number) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("version", number);
            out.put("technique", v == null ? null : v.technique());
            out.put("validation", v == null ? Map.of() : v.validation());
            out.put("test", v == null ? Map.of() : v.test());
            return out;
        }

        private static String metric(Map<String, Double> values, String name) {
            Double v = values == null ? null : values.get(name);
            return v == null ? "-" : String.format("%.3f", v);
        }
    }
}
