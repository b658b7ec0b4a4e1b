package dev.streamtune.featurizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.ingest.BrokerAndRegistry;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.schemas.Topics;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The featurizer as a child JVM, SIGKILLed at random points mid-stream and restarted with the same
 * transactional id, then stopped with SIGTERM once done: every example ends with exactly one
 * committed feature vector, none missing.
 */
class FeaturizerCrashIT {
    private static final int EXAMPLES = 200;
    private static final int BATCH = 4;
    private static final int BATCHES_PER_TRANSACTION = 4;
    private static final int KILLS = 3;

    @Test
    void killedAndRestartedFeaturizerCommitsEachExampleExactlyOnce() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        Random random = new Random(seed);
        System.out.println("FeaturizerCrashIT: seed " + seed + " (rerun with -Dcrash.seed=" + seed + ")");
        try (BrokerAndRegistry platform = BrokerAndRegistry.start()) {
            String prefix = "crash-" + UUID.randomUUID().toString().substring(0, 6) + ".";
            Topics topics = Topics.withPrefix(prefix);
            SplitRecords.createSplitTopics(platform, topics, 3);
            String featuresTopic = topics.features(MiniLmL6V2Provider.ID);
            platform.cluster().createTopics(2, featuresTopic);
            List<dev.streamtune.datasets.CorpusExample> corpus = SplitRecords.corpus(EXAMPLES).stream()
                    .map(e -> e.truncatedTo(400)).toList();
            Map<String, SplitRecords.Source> sources = SplitRecords.produce(platform, topics, corpus);
            List<String> command = childCommand(platform, prefix);
            Path logDir = Files.createDirectories(Path.of("target", "featurizer-crash-it"));

            List<TopicPartition> partitions = List.of(new TopicPartition(featuresTopic, 0), new TopicPartition(featuresTopic, 1));
            try (KafkaConsumer<String, byte[]> progress = platform.cluster().consumer(new StringDeserializer(),
                    new ByteArrayDeserializer(), Map.of());
                 KafkaConsumer<String, byte[]> inFlight = platform.cluster().consumer(new StringDeserializer(),
                    new ByteArrayDeserializer(), Map.of("isolation.level", "read_uncommitted"))) {
                progress.assign(partitions);
                progress.seekToBeginning(partitions);
                inFlight.assign(partitions);
                inFlight.seekToBeginning(partitions);
                Set<String> committed = new HashSet<>();
                int[] counts = new int[2]; // committed records, records written (aborted and open ones too)
                Runnable pollBoth = () -> {
                    for (var r : progress.poll(Duration.ofMillis(50))) {
                        committed.add(r.key());
                        counts[0]++;
                    }
                    counts[1] += inFlight.poll(Duration.ofMillis(50)).count();
                };
                int killsInOpenTransactions = 0;
                for (int run = 0; run <= KILLS; run++) {
                    Path log = logDir.resolve(prefix + "run-" + run + ".log");
                    Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                    try {
                        boolean last = run == KILLS;
                        // runs 0 and 2 are killed while a transaction has vectors on the broker but is not
                        // committed; run 1 after a random number of vectors plus a random delay, so the
                        // kill falls anywhere (backbone call, start-up, between transactions)
                        boolean killInOpenTransaction = run % 2 == 0;
                        int target = last ? EXAMPLES : Math.min(EXAMPLES - 1, committed.size() + 1 + random.nextInt(3 * BATCH));
                        int abortedBefore = counts[1] - counts[0]; // settled: the previous child is dead
                        int thisRun = run;
                        // the consumers are not thread-safe: poll them on this thread
                        await("run " + run + " reaching its kill point (log " + log + ")").atMost(Duration.ofSeconds(90))
                                .pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ZERO)
                                .until(() -> {
                                    if (committed.size() >= target
                                            && (last || !killInOpenTransaction || counts[1] - counts[0] > abortedBefore)) {
                                        return true;
                                    }
                                    assertThat(child.isAlive()).as("child run %d is alive (log %s)", thisRun, log).isTrue();
                                    pollBoth.run();
                                    return false;
                                });
                        if (!last) {
                            if (!killInOpenTransaction) {
                                Thread.sleep(random.nextInt(1500));
                            }
                            child.destroyForcibly(); // SIGKILL: no shutdown hook, the open transaction is left behind
                            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                            int open = counts[1] - counts[0] - abortedBefore;
                            killsInOpenTransactions += open > 0 ? 1 : 0;
                            System.out.printf("FeaturizerCrashIT: killed run %d at %d committed vectors, %d written but "
                                    + "uncommitted (exit %d)%n", run, committed.size(), open, child.exitValue());
                            assertThat(committed.size()).as("killed mid-stream").isLessThan(EXAMPLES);
                        } else {
                            child.destroy(); // SIGTERM: commit what is in hand and exit
                            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
                            String output = Files.readString(log);
                            assertThat(output).as("clean shutdown in %s", log).contains("featurizer: stopped after");
                            System.out.printf("FeaturizerCrashIT: final run stopped by SIGTERM (exit %d)%n", child.exitValue());
                        }
                    } finally {
                        if (child.isAlive()) {
                            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                        }
                    }
                }
                // a fixed second of reading, not a wait for a condition: anything committed late is counted
                long settle = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                while (System.nanoTime() < settle) {
                    pollBoth.run();
                }
                assertThat(counts[0]).as("committed records seen while running").isEqualTo(EXAMPLES);
                assertThat(killsInOpenTransactions).as("kills that left a transaction with vectors open").isGreaterThanOrEqualTo(1);
                System.out.printf("FeaturizerCrashIT: %d committed vectors; %d written in all, so %d in aborted transactions%n",
                        counts[0], counts[1], counts[1] - counts[0]);
                assertThat(counts[1]).as("aborted vectors are in the log, invisible to read_committed").isGreaterThan(EXAMPLES);
            }

            List<FeatureVector> features = SplitRecords.readFeatures(platform, featuresTopic);
            Map<String, Integer> perId = new HashMap<>();
            features.forEach(f -> perId.merge(f.getExampleId(), 1, Integer::sum));
            assertThat(perId.keySet()).containsExactlyInAnyOrderElementsOf(sources.keySet());
            assertThat(perId.values()).allSatisfy(n -> assertThat(n).isEqualTo(1));
            for (FeatureVector f : features) {
                SplitRecords.Source s = sources.get(f.getExampleId());
                assertThat(f.getSourceOffset()).isEqualTo(s.offset());
                assertThat(f.getSplit()).isEqualTo(s.split());
            }
        }
    }

    /** {@code java -cp <this JVM's class path> FeaturizerChildProcess ...}: in failsafe that holds ingest and its dependencies. */
    private static List<String> childCommand(BrokerAndRegistry platform, String prefix) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("java.class.path");
        assertThat(classPath).contains("onnxruntime");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-Dai.djl.offline=true",
                "-cp", classPath, FeaturizerChildProcess.class.getName(), platform.bootstrapServers(), platform.registryUrl(),
                prefix, Integer.toString(BATCH), Integer.toString(BATCHES_PER_TRANSACTION)));
        assertThat(new File(java)).exists();
        return command;
    }
}
