package dev.streamtune.ingest.featurizer;

import static org.assertj.core.api.Assertions.assertThat;

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
    private static final int BATCH = 8;
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

            try (KafkaConsumer<String, byte[]> progress = platform.cluster().consumer(new StringDeserializer(),
                    new ByteArrayDeserializer(), Map.of())) {
                List<TopicPartition> partitions = List.of(new TopicPartition(featuresTopic, 0), new TopicPartition(featuresTopic, 1));
                progress.assign(partitions);
                progress.seekToBeginning(partitions);
                Set<String> committed = new HashSet<>();
                int committedRecords = 0;
                for (int run = 0; run <= KILLS; run++) {
                    Path log = logDir.resolve(prefix + "run-" + run + ".log");
                    Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                    try {
                        boolean last = run == KILLS;
                        // kill after a random number of newly committed vectors, plus a random delay so the
                        // kill falls anywhere: inside the backbone call, mid-transaction, between batches
                        int target = last ? EXAMPLES : Math.min(EXAMPLES - 1, committed.size() + 1 + random.nextInt(3 * BATCH));
                        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                        while (committed.size() < target) {
                            assertThat(child.isAlive()).as("child run %d is alive (log %s)", run, log).isTrue();
                            assertThat(System.nanoTime()).as("run %d reached %d vectors in time (log %s)", run, target, log)
                                    .isLessThan(deadline);
                            for (var r : progress.poll(Duration.ofMillis(100))) {
                                committed.add(r.key());
                                committedRecords++;
                            }
                        }
                        if (!last) {
                            Thread.sleep(random.nextInt(1500));
                            child.destroyForcibly(); // SIGKILL: no shutdown hook, the open transaction is left behind
                            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                            System.out.printf("FeaturizerCrashIT: killed run %d at %d committed vectors (exit %d)%n",
                                    run, committed.size(), child.exitValue());
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
                assertThat(committedRecords).as("committed records seen while running").isEqualTo(EXAMPLES);
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
            // not asserted (where a kill lands is up to chance): how many vectors were written and aborted
            int written = 0;
            List<TopicPartition> partitions = List.of(new TopicPartition(featuresTopic, 0), new TopicPartition(featuresTopic, 1));
            try (KafkaConsumer<byte[], byte[]> uncommitted = platform.cluster().consumer(new ByteArrayDeserializer(),
                    new ByteArrayDeserializer(), Map.of("isolation.level", "read_uncommitted"))) {
                uncommitted.assign(partitions);
                uncommitted.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = uncommitted.endOffsets(partitions);
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (partitions.stream().anyMatch(p -> uncommitted.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                    written += uncommitted.poll(Duration.ofMillis(100)).count();
                }
            }
            System.out.printf("FeaturizerCrashIT: %d committed vectors; %d written in all, so %d in aborted transactions%n",
                    features.size(), written, written - features.size());
        }
    }

    /** {@code java -cp <this JVM's class path> FeaturizerService ...}: in failsafe that holds ingest and its dependencies. */
    private static List<String> childCommand(BrokerAndRegistry platform, String prefix) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("java.class.path");
        assertThat(classPath).contains("onnxruntime");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-Dai.djl.offline=true",
                "-cp", classPath, FeaturizerService.class.getName(),
                "--bootstrap", platform.bootstrapServers(),
                "--registry", platform.registryUrl(),
                "--topic-prefix", prefix,
                "--group-id", prefix + "featurizer",
                "--transactional-id", prefix + "featurizer-0",
                "--batch-size", Integer.toString(BATCH),
                "--max-wait-ms", "50",
                "--max-tokens", "64",
                "--threads", "1",
                "--status-interval-ms", "2000"));
        assertThat(new File(java)).exists();
        return command;
    }
}
