package dev.streamtune.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.OffsetRange;
import dev.streamtune.avro.Split;
import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer runs as a child JVM ({@link TrainerChildProcess}) and is SIGKILLed at random points
 * while feature vectors stream in, then restarted. From the published versions alone: no version
 * number twice, and every train example's offset inside exactly one version's new-data ranges.
 */
class TrainerCrashIT {
    private static final String TASK = "crashy";
    private static final int VECTORS = 3_000;
    private static final int KILLS = 4;

    @TempDir
    Path tmp;

    @Test
    void everyTrainExampleEntersExactlyOneVersionAcrossRepeatedSigkills() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("crash test seed " + seed);
        try (StreamtunePlatform platform = StreamtunePlatform.start(PlatformConfig.ephemeral())) {
            ServiceFixture fixture = new ServiceFixture(platform, "", 3);
            fixture.declareTask(TASK, List.of("a", "b", "c"), false, Map.of());
            ServiceFixture.Clusters clusters = new ServiceFixture.Clusters(5, 4.0);
            List<FeatureVector> vectors = new ArrayList<>();
            String[] labels = {"a", "b", "c"};
            for (int i = 0; i < VECTORS; i++) {
                String label = labels[random.nextInt(3)];
                int kind = random.nextInt(10);
                String task = kind == 0 ? "someone-else" : TASK;
                Split split = kind == 1 ? Split.VALIDATION : Split.TRAIN;
                vectors.add(ServiceFixture.vector(task, "x" + i, label, split, clusters.sample(label)));
            }
            // the stream arrives in waves while the trainer is being killed and restarted
            AtomicReference<List<RecordMetadata>> landed = new AtomicReference<>(new ArrayList<>());
            AtomicReference<Throwable> producerFailure = new AtomicReference<>();
            Thread producer = new Thread(() -> {
                try {
                    // 100 records/s for 30 s: the four kill-and-restart cycles (about 5 s each) fall inside it
                    for (int from = 0; from < VECTORS; from += 50) {
                        landed.get().addAll(fixture.produce(vectors.subList(from, Math.min(VECTORS, from + 50))));
                        Thread.sleep(500);
                    }
                } catch (Throwable t) {
                    producerFailure.set(t);
                }
            }, "feature-producer");
            producer.start();

            Path dataDir = tmp.resolve("data");
            for (int kill = 1; kill <= KILLS; kill++) {
                Process child = startTrainer(platform, dataDir, kill);
                awaitLogLine(child, kill, "resuming at");
                long delayMs = 300 + random.nextInt(3_000);
                Thread.sleep(delayMs);
                assertThat(child.isAlive()).as("trainer child %d alive before its kill (log %s)", kill, log(kill)).isTrue();
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                System.out.printf("kill %d after %d ms: %d versions published so far%n", kill, delayMs,
                        fixture.versions(TASK).size());
            }
            producer.join(60_000);
            assertThat(producerFailure.get()).isNull();
            List<RecordMetadata> offsets = landed.get();
            assertThat(offsets).hasSize(VECTORS);
            long trainCount = vectors.stream().filter(v -> v.getTask().equals(TASK) && v.getSplit() == Split.TRAIN).count();
            int versionsBeforeFinalRun = fixture.versions(TASK).size();

            Process last = startTrainer(platform, dataDir, KILLS + 1);
            List<ModelVersion> versions = fixture.awaitVersions(TASK,
                    vs -> vs.stream().anyMatch(v -> v.getExamplesSeen() == trainCount), Duration.ofSeconds(90));
            last.destroy(); // SIGTERM: a graceful stop
            assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(last.exitValue()).as("exit status after SIGTERM (log %s)", log(KILLS + 1)).isZero();
            versions = fixture.versions(TASK);
            System.out.printf("%d versions in all, %d of them before the final run; %d train examples%n",
                    versions.size(), versionsBeforeFinalRun, trainCount);
            assertThat(versionsBeforeFinalRun).as("the kills fell in the middle of the run").isPositive()
                    .isLessThan(versions.size());

            // no version number twice, and 1..n without a hole, each the child of the one before
            Set<Long> numbers = new HashSet<>();
            for (ModelVersion version : versions) {
                assertThat(numbers.add(version.getVersion())).as("version %d published twice", version.getVersion()).isTrue();
            }
            for (int i = 0; i < versions.size(); i++) {
                assertThat(versions.get(i).getVersion()).isEqualTo(i + 1L);
                assertThat(versions.get(i).getParentVersion()).isEqualTo(i == 0 ? null : (long) i);
            }
            // every train example's offset lies in exactly one version's new-data ranges
            int covered = 0;
            for (int i = 0; i < VECTORS; i++) {
                FeatureVector vector = vectors.get(i);
                if (!vector.getTask().equals(TASK) || vector.getSplit() != Split.TRAIN) {
                    continue;
                }
                RecordMetadata at = offsets.get(i);
                long hits = versions.stream().flatMap(v -> v.getOffsetRanges().stream())
                        .filter(r -> contains(r, fixture.featuresTopic, at.partition(), at.offset())).count();
                assertThat(hits).as("versions covering train example %s at %d@%d", vector.getExampleId(), at.partition(),
                        at.offset()).isEqualTo(1);
                covered++;
            }
            assertThat(covered).isEqualTo(trainCount);
            ModelVersion finalVersion = versions.get(versions.size() - 1);
            assertThat(finalVersion.getExamplesSeen()).as("the trainer's own count: nothing trained twice").isEqualTo(trainCount);
        }
    }

    private static boolean contains(OffsetRange range, String topic, int partition, long offset) {
        return range.getTopic().equals(topic) && range.getPartition() == partition && range.getFromOffset() <= offset
                && offset < range.getUntilOffset();
    }

    /** Child logs stay in target/ so a failure can be read after the temp directory is gone. */
    private static Path log(int run) {
        return Path.of("target", "crash-it", "trainer-" + run + ".log").toAbsolutePath();
    }

    private static void awaitLogLine(Process child, int run, String text) throws Exception {
        await("trainer child " + run + " logging '" + text + "' (log " + log(run) + ")")
                .atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                .failFast(() -> assertThat(child.isAlive())
                        .as("trainer child %d died before it started (log %s)", run, log(run)).isTrue())
                .until(() -> Files.readString(log(run)).contains(text));
    }

    private Process startTrainer(StreamtunePlatform platform, Path dataDir, int run) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx512m", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
                TrainerChildProcess.class.getName(), platform.bootstrapServers(), platform.registryUrl(), TASK,
                dataDir.toString());
        Files.createDirectories(dataDir);
        Files.createDirectories(log(run).getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log(run).toFile());
        return builder.start();
    }
}
