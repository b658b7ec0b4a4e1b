package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.dashboard.DashboardSnapshot.TrainerState;
import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.schemas.DeadLetterHeaders;
import dev.streamtune.schemas.serde.AvroDeserializer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A trainer for every declared task, on a real broker, registry and every real service: the pipeline
 * starts with no task declared; a task declared afterwards gets a trainer and a champion, and so does a
 * second task declared while the first trains, without a restart; {@code streamtune status} then prints
 * the champions and dead letters that the topics hold; {@code task delete} stops the second trainer.
 */
class TaskTrainersIT {
    private static final Duration PROMOTION_TIMEOUT = Duration.ofMinutes(8);

    @Test
    void tasksDeclaredAfterStartGetTrainersAndChampionsAndStatusPrintsTheirFacts(@TempDir Path data) throws Exception {
        try (StreamtunePlatform platform = StreamtunePlatform.start(PlatformConfig.ephemeral());
             LocalPipeline pipeline = LocalPipeline.start(new PipelineConfig(platform.bootstrapServers(),
                     platform.registryUrl(), "", 1, -1, data, List.of(), 32, 64, 2, 40, Duration.ofSeconds(5),
                     PipelineConfig.gate(10, 0.02)))) {
            ConnectionOptions c = ConnectionOptions.of(platform.bootstrapServers(), platform.registryUrl());
            assertThat(pipeline.trainedTasks()).as("nothing declared yet, nothing trained").isEmpty();

            // declared after the pipeline started: produce --corpus declares the task, then sends a sample
            assertThat(run(platform, "produce", "--corpus", "spam", "--limit", "300", "--task", "spam")).isZero();
            await(() -> pipeline.trainedTasks().contains("spam"), Duration.ofMinutes(1), "a trainer for spam");

            // a second task, declared while spam trains: its own trainer starts, no restart of anything
            assertThat(run(platform, "produce", "--corpus", "spam", "--limit", "300", "--task", "mail")).isZero();
            await(() -> pipeline.trainedTasks().equals(List.of("mail", "spam")), Duration.ofMinutes(1), "a trainer for mail");
            await(() -> champion(c, "spam").isPresent(), PROMOTION_TIMEOUT, "a champion for spam");
            await(() -> champion(c, "mail").isPresent(), PROMOTION_TIMEOUT, "a champion for mail");

            // dead letters of two reasons: two texts over ingest's 20,000 characters, one label outside spam's closed set
            Path bad = data.resolve("bad.jsonl");
            String longText = "x".repeat(25_000);
            Files.writeString(bad, "{\"id\":\"long-1\",\"label\":\"spam\",\"text\":\"" + longText + "\"}\n"
                    + "{\"id\":\"long-2\",\"label\":\"ham\",\"text\":\"" + longText + "\"}\n"
                    + "{\"id\":\"phish-1\",\"label\":\"phish\",\"text\":\"verify your account\"}\n");
            assertThat(run(platform, "produce", bad.toString(), "--task", "spam")).isZero();
            await(() -> deadLetterReasons(c).values().stream().mapToLong(Long::longValue).sum() >= 3,
                    Duration.ofMinutes(2), "three dead letters");

            // status: the dashboard's facts, the same as the topics hold
            Map<String, Long> reasons = deadLetterReasons(c);
            // both trainers keep training, so a champion may be promoted while status reads: the version status
            // prints lies between the champion read just before and the one read just after
            Map<String, Long> before = new TreeMap<>();
            for (String task : List.of("spam", "mail")) {
                before.put(task, champion(c, task).orElseThrow().getVersion());
            }
            StatusCommand.Report report = awaitStatus(c, r -> r.snapshot().trainedTasks().equals(List.of("mail", "spam")));
            assertThat(report.snapshot().deadLetters()).isEqualTo(reasons)
                    .containsEntry("TEXT_TOO_LONG", 2L).containsEntry("UNKNOWN_LABEL", 1L);
            for (String task : List.of("spam", "mail")) {
                ModelUpdate after = champion(c, task).orElseThrow();
                assertThat(report.snapshot().tasks().get(task).championVersion()).as(task)
                        .isBetween(before.get(task), after.getVersion());
                assertThat(report.snapshot().tasks().get(task).champion().validation())
                        .containsKey(dev.streamtune.schemas.MetricNames.MACRO_F1);
            }
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            report.print(new PrintStream(printed, true, StandardCharsets.UTF_8));
            String text = printed.toString(StandardCharsets.UTF_8);
            assertThat(text).contains("trainers: mail, spam")
                    .containsPattern("(?m)^spam +v" + report.snapshot().tasks().get("spam").championVersion() + " ")
                    .containsPattern("(?m)^  TEXT_TOO_LONG +2$").containsPattern("(?m)^  UNKNOWN_LABEL +1$")
                    .containsPattern("(?m)^  trainer +streamtune-trainer-spam +\\d+$")
                    .containsPattern("(?m)^  featurizer +streamtune-featurizer");
            Map<String, Object> json = report.asJson();
            assertThat(json.get("trainers")).isEqualTo(List.of("mail", "spam"));
            assertThat(json.get("dead_letters")).isEqualTo(reasons);
            assertThat(run(platform, "status", "--json")).as("the command itself").isZero();

            // removing a task stops its trainer (it checkpoints first) and the other keeps training
            assertThat(run(platform, "task", "delete", "mail")).isZero();
            await(() -> pipeline.trainedTasks().equals(List.of("spam")), Duration.ofMinutes(2), "mail's trainer stopped");
            assertThat(Files.list(data.resolve("checkpoints").resolve("mail")).findAny()).as("mail checkpointed").isPresent();
            StatusCommand.Report after = awaitStatus(c,
                    r -> r.snapshot().tasks().get("mail").trainer().state() == TrainerState.STOPPED);
            assertThat(after.snapshot().untrainedTasksWithExamples()).as("mail has examples and no trainer: said, not silent")
                    .containsExactly("mail");
            assertThat(run(platform, "task", "delete", "nonesuch")).as("an undeclared task is refused").isEqualTo(2);
            assertThat(pipeline.failures()).isEmpty();
        }
    }

    private static int run(StreamtunePlatform platform, String... args) {
        String[] full = java.util.Arrays.copyOf(args, args.length + 4);
        full[args.length] = "--bootstrap-servers";
        full[args.length + 1] = platform.bootstrapServers();
        full[args.length + 2] = "--schema-registry-url";
        full[args.length + 3] = platform.registryUrl();
        return new CommandLine(new Streamtune()).execute(full);
    }

    /** The latest PROMOTE or ROLLBACK of {@code task} on models.updates, read as any consumer reads it. */
    private static Optional<ModelUpdate> champion(ConnectionOptions c, String task) {
        String topic = c.topics().updates();
        AvroDeserializer<ModelUpdate> d = new AvroDeserializer<>(c.registry(), c.serde(), ModelUpdate.class);
        ModelUpdate latest = null;
        for (ConsumerRecord<String, byte[]> r : TopicSnapshot.read(c.kafka(), topic, Duration.ofSeconds(30))) {
            if (r.value() != null) {
                ModelUpdate u = d.deserialize(topic, r.value());
                if (task.equals(u.getTask()) && (u.getAction() == UpdateAction.PROMOTE || u.getAction() == UpdateAction.ROLLBACK)) {
                    latest = u;
                }
            }
        }
        return Optional.ofNullable(latest);
    }

    private static Map<String, Long> deadLetterReasons(ConnectionOptions c) {
        Map<String, Long> out = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> r : TopicSnapshot.read(c.kafka(), c.topics().dlq(), Duration.ofSeconds(30))) {
            var h = r.headers().lastHeader(DeadLetterHeaders.REASON);
            out.merge(h == null ? "UNKNOWN" : new String(h.value(), StandardCharsets.UTF_8), 1L, Long::sum);
        }
        return out;
    }

    private static StatusCommand.Report awaitStatus(ConnectionOptions c,
            java.util.function.Predicate<StatusCommand.Report> until) throws Exception {
        AtomicReference<StatusCommand.Report> report = new AtomicReference<>();
        Awaitility.await("status showing what was expected").atMost(Duration.ofMinutes(1))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    report.set(StatusCommand.read(c));
                    assertThat(until.test(report.get())).as("status shows what was expected; last: %s",
                            report.get().asJson()).isTrue();
                });
        return report.get();
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofSeconds(1)).until(condition::getAsBoolean);
    }
}
