package dev.streamtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.OffsetRange;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.datasets.Corpus;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.trainer.service.TrainerServiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench faults}: a corpus streamed through {@code up --brokers 3} (every part its own process) while a broker,
 * an ingest instance, a featurizer instance, the trainer and the evaluator are killed with SIGKILL at random times
 * from a printed seed, and each is started again; then {@link FaultCheck} reads the topics and says what was lost or
 * doubled. Kinds are dealt from a shuffled deck, so every kind is killed {@code kills / 5} times or more.
 */
@Command(name = "faults", mixinStandardHelpOptions = true,
        description = {"Stream a corpus through a 3-broker cluster of processes while killing (SIGKILL) brokers, ingest and",
                "featurizer instances, the trainer and the evaluator at random times, then check from the topics that",
                "nothing was lost or duplicated."})
final class FaultsBenchmark implements Callable<Integer> {
    static final List<LocalCluster.Kind> KILLED = List.of(LocalCluster.Kind.broker, LocalCluster.Kind.ingest,
            LocalCluster.Kind.featurizer, LocalCluster.Kind.trainer, LocalCluster.Kind.evaluator);
    private static final String TASK = "faults";

    @Option(names = "--minutes", defaultValue = "10", description = "How long the faults go on. Default: ${DEFAULT-VALUE}")
    double minutes;

    @Option(names = "--seed", description = "Seed of the kill times and victims. Default: a random one, printed.")
    Long seed;

    @Option(names = "--rate", defaultValue = "4", description = "Examples per second produced while the faults go on. Default: ${DEFAULT-VALUE}")
    double rate;

    @Option(names = "--settle-minutes", defaultValue = "6", description = "How long to wait after the faults for the topics to be complete. Default: ${DEFAULT-VALUE}")
    double settleMinutes;

    @Option(names = "--data-dir", description = "Where the cluster keeps its logs and state. Default: a fresh temporary directory.")
    Path dataDir;

    @Option(names = "--json", description = "Also write the figures as JSON to this file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        long chosenSeed = seed != null ? seed : new Random().nextLong();
        Random random = new Random(chosenSeed);
        Duration faults = Duration.ofMillis((long) (minutes * 60_000));
        int kills = Math.max(KILLED.size(), (int) Math.round(faults.toSeconds() / 50.0));
        Path data = dataDir != null ? dataDir : Files.createTempDirectory("streamtune-faults");
        Corpus corpus = ProduceCommand.BundledCorpus.spam.load((int) Math.max(50, rate * faults.toSeconds()));
        System.out.printf("streamtune bench faults: seed %d, %d kills over %s, %d examples at %.1f/s, data in %s%n",
                chosenSeed, kills, faults, corpus.size(), rate, data);
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        Map<String, Integer> killsByKind = new TreeMap<>();
        List<Double> downSeconds = new ArrayList<>();
        try (LocalCluster cluster = LocalCluster.start(data, 3, 2, 2, 0, 0, line -> System.out.println("  " + line))) {
            ConnectionOptions c = ConnectionOptions.of(cluster.bootstrapServers(), cluster.registryUrl());
            TaskCommand.publish(c, TaskSpec.newBuilder().setTask(TASK).setLabels(List.copyOf(corpus.labels()))
                    .setLabelSetClosed(true).setTechnique("hybrid").setSettings(new LinkedHashMap<>())
                    .setDescription("bench faults: " + corpus.name()).setCreatedAt(Instant.now()).build());
            Thread producer = new Thread(() -> {
                try {
                    CorpusProducer.produce(c.kafka(), c.registry(), c.serde(), c.topics().raw(), TASK, corpus,
                            corpus.size() / (double) faults.toSeconds(), acknowledged::put);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "faults-producer");
            producer.start();

            List<LocalCluster.Kind> deck = deal(kills, random);
            long start = System.nanoTime();
            long slotNanos = faults.toNanos() / kills;
            for (int k = 0; k < kills; k++) {
                long slotStart = start + k * slotNanos;
                sleepUntil(slotStart + (long) (random.nextDouble() * 0.4 * slotNanos));
                LocalCluster.Kind kind = deck.get(k);
                List<LocalCluster.Member> candidates = cluster.members(kind);
                LocalCluster.Member victim = candidates.get(random.nextInt(candidates.size()));
                long pid = victim.pid();
                long killedAt = System.nanoTime();
                victim.kill();
                Thread.sleep(2_000 + random.nextInt(6_000));
                victim.start();
                victim.awaitReady(Duration.ofMinutes(4));
                if (kind == LocalCluster.Kind.broker) {
                    cluster.awaitBrokers(3, Duration.ofMinutes(2));
                }
                double down = (System.nanoTime() - killedAt) / 1e9;
                downSeconds.add(down);
                killsByKind.merge(kind.name(), 1, Integer::sum);
                System.out.printf("  kill %d/%d at %4.0f s: %s (pid %d) SIGKILL, back after %.1f s; %d examples acknowledged%n",
                        k + 1, kills, (killedAt - start) / 1e9, victim.name, pid, down, acknowledged.size());
            }
            producer.join();
            System.out.printf("  faults over: %d kills, %d of %d examples acknowledged; checking the topics for up to %.0f min%n",
                    kills, acknowledged.size(), corpus.size(), settleMinutes);

            FaultCheck.Result result = null;
            long settleStart = System.nanoTime();
            long deadline = settleStart + (long) (settleMinutes * 60e9);
            do {
                if (result != null) {
                    Thread.sleep(15_000);
                }
                result = check(c, acknowledged);
                // until the deadline a missing record may still be in flight (a restarted stage catching up): it
                // counts as lost only in the final verdict
                System.out.printf("  check at %3.0f s of settling: %d not yet accounted for, %d duplicated, %d versions, breakdown %s%n",
                        (System.nanoTime() - settleStart) / 1e9, result.lost(), result.duplicates(), result.versions(),
                        result.breakdown());
            } while (!result.clean() && System.nanoTime() < deadline);

            Map<String, Object> out = new LinkedHashMap<>();
            out.put("seed", chosenSeed);
            out.put("minutes", minutes);
            out.put("kills", kills);
            out.put("kills_by_kind", killsByKind);
            out.put("lost", result.lost());
            out.put("duplicates", result.duplicates());
            out.put("versions", result.versions());
            out.put("p95_freshness_s", round(result.freshnessPercentile(95)));
            out.put("p50_freshness_s", round(result.freshnessPercentile(50)));
            out.put("max_recovery_s", round(downSeconds.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
            out.put("checks", result.breakdown());
            System.out.printf("bench faults: %d kills %s, lost %d, duplicated %d, %d versions, p95 freshness %.1f s, seed %d: %s%n",
                    kills, killsByKind, result.lost(), result.duplicates(), result.versions(),
                    result.freshnessPercentile(95), chosenSeed, result.clean() ? "PASS" : "FAIL");
            if (json != null) {
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), out);
            }
            return result.clean() ? 0 : 1;
        }
    }

    /** {@code kills} kinds: whole shuffled decks of every kind, then a shuffled part of one. */
    static List<LocalCluster.Kind> deal(int kills, Random random) {
        List<LocalCluster.Kind> out = new ArrayList<>();
        while (out.size() < kills) {
            List<LocalCluster.Kind> deck = new ArrayList<>(KILLED);
            Collections.shuffle(deck, random);
            out.addAll(deck.subList(0, Math.min(deck.size(), kills - out.size())));
        }
        return out;
    }

    /** Reads the topics (read_committed) and checks them. */
    static FaultCheck.Result check(ConnectionOptions c, Map<String, Long> acknowledged) {
        Duration timeout = Duration.ofSeconds(60);
        var topics = c.topics();
        AvroDeserializer<LabelledExample> examples = new AvroDeserializer<>(c.registry(), c.serde(), LabelledExample.class);
        AvroDeserializer<FeatureVector> vectors = new AvroDeserializer<>(c.registry(), c.serde(), FeatureVector.class);
        AvroDeserializer<ModelVersion> versions = new AvroDeserializer<>(c.registry(), c.serde(), ModelVersion.class);
        AvroDeserializer<ModelUpdate> updates = new AvroDeserializer<>(c.registry(), c.serde(), ModelUpdate.class);

        List<FaultCheck.Routed> routed = new ArrayList<>();
        List<FaultCheck.TrainRecord> trainFromSplit = new ArrayList<>();
        for (String split : topics.splits()) {
            for (ConsumerRecord<String, byte[]> r : TopicSnapshot.read(c.kafka(), split, timeout)) {
                LabelledExample e = examples.deserialize(split, r.value());
                if (TASK.equals(e.getTask())) {
                    routed.add(new FaultCheck.Routed(e.getId(), split));
                    if (split.equals(topics.train())) {
                        trainFromSplit.add(new FaultCheck.TrainRecord(new FaultCheck.Position(split, r.partition(), r.offset()), e.getId()));
                    }
                }
            }
        }
        for (ConsumerRecord<String, byte[]> r : TopicSnapshot.read(c.kafka(), topics.dlq(), timeout)) {
            if (r.key() != null && acknowledged.containsKey(r.key())) {
                routed.add(new FaultCheck.Routed(r.key(), "dlq"));
            }
        }
        String featuresTopic = topics.features(TrainerServiceConfig.DEFAULT_BACKBONE);
        List<String> features = new ArrayList<>();
        List<FaultCheck.TrainRecord> trainFromFeatures = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : TopicSnapshot.read(c.kafka(), featuresTopic, timeout)) {
            FeatureVector v = vectors.deserialize(featuresTopic, r.value());
            if (TASK.equals(v.getTask()) && !v.getCorrection()) {
                features.add(v.getExampleId());
                if (v.getSplit() == Split.TRAIN) {
                    trainFromFeatures.add(new FaultCheck.TrainRecord(new FaultCheck.Position(featuresTopic, r.partition(), r.offset()),
                            v.getExampleId()));
                }
            }
        }
        List<FaultCheck.Version> published = new ArrayList<>();
        boolean rangesOnFeatures = true;
        for (ConsumerRecord<String, byte[]> r : TopicSnapshot.read(c.kafka(), topics.candidates(), timeout)) {
            ModelVersion v = versions.deserialize(topics.candidates(), r.value());
            if (TASK.equals(v.getTask())) {
                List<FaultCheck.Range> ranges = new ArrayList<>();
                for (OffsetRange o : v.getOffsetRanges()) {
                    ranges.add(new FaultCheck.Range(o.getTopic(), o.getPartition(), o.getFromOffset(), o.getUntilOffset()));
                    rangesOnFeatures &= o.getTopic().equals(featuresTopic);
                }
                published.add(new FaultCheck.Version(v.getVersion(), ranges, r.timestamp()));
            }
        }
        List<FaultCheck.ChampionChange> changes = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : TopicSnapshot.read(c.kafka(), topics.updates(), timeout)) {
            if (r.value() == null) {
                continue;
            }
            ModelUpdate u = updates.deserialize(topics.updates(), r.value());
            if (TASK.equals(u.getTask()) && (u.getAction() == UpdateAction.PROMOTE || u.getAction() == UpdateAction.ROLLBACK)) {
                changes.add(new FaultCheck.ChampionChange(u.getVersion(), u.getPreviousVersion()));
            }
        }
        return FaultCheck.check(acknowledged, routed, features, rangesOnFeatures ? trainFromFeatures : trainFromSplit,
                published, changes);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    private static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 10) / 10.0;
    }
}
