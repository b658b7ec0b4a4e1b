package dev.streamtune.app;

import dev.streamtune.model.hybrid.HybridTechnique;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.OffsetRange;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.datasets.Corpus;
import dev.streamtune.datasets.SpamAssassin;
import dev.streamtune.evaluator.GateConfig;
import dev.streamtune.ingest.IngestMetrics;
import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.RestSchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Freshness: how long after a labelled example is produced does a <em>promoted</em> model that learned from it
 * serve? For each TRAIN example the benchmark takes the first {@code PROMOTE} update on {@code models.updates}
 * whose model's {@code cumulativeOffsetRanges} cover the example's offset on the features topic, and subtracts the
 * example's produce time (both are Kafka record timestamps set by producers on this machine's clock). The same
 * figure against the first <em>candidate</em> covering it isolates the trainer's share of the delay.
 *
 * <p>The trainer publishes on time only (a large publish-every), so the expected delay is about half a publish
 * interval of waiting plus featurizing, training and judging; the goal is p95 within twice the interval. The gate
 * has refresh promotions on: without them a converged model is never replaced and freshness grows with the run.
 *
 * <p>The trainer's micro-batch wait is set to the publish interval for this run; see the comment at the start of
 * the pipeline for why.
 *
 * <p>Steady state vs warm-up: before the first promotion nothing serves, and the first promotion waits for the
 * evaluator's minimum validation set, so examples produced before it measure start-up, not freshness. The headline
 * {@code p50_s}/{@code p95_s} are over examples produced after the first promotion; the all-examples figures are
 * reported beside them. An example no promotion covers by the end counts at the end time (a lower bound) and is
 * reported as censored, so a gate that stops promoting cannot hide behind a short run.
 */
@Command(name = "freshness", mixinStandardHelpOptions = true,
        description = {"Seconds from producing a labelled example to a promoted model whose provenance includes it",
                "(p50, p95, max), against the trainer's publish interval, on a local broker with every service."})
final class FreshnessBenchmark implements Callable<Integer> {
    private static final String TASK = DemoCommand.TASK;

    @Option(names = "--limit", defaultValue = "1500", description = "Stratified sample of emails to stream. Default: ${DEFAULT-VALUE}")
    int limit;

    @Option(names = "--rate", defaultValue = "8", description = "Examples produced per second (about what the featurizer sustains on 2 cores at 128 tokens). Default: ${DEFAULT-VALUE}")
    double rate;

    @Option(names = "--publish-interval", defaultValue = "15", description = "Seconds between the trainer's candidates. Default: ${DEFAULT-VALUE}")
    double publishIntervalSeconds;

    // one validation example moves macro-F1 by 1 to 2 points at 50 to 150 examples; a tolerance below that refuses
    // noise (measured: 0.02 refused two-example differences, p95 2.6 intervals), McNemar still refuses regressions
    @Option(names = "--refresh-tolerance", defaultValue = "0.03", description = "Macro-F1 a refresh promotion may give up; negative turns refresh off. Default: ${DEFAULT-VALUE}")
    double refreshTolerance;

    @Option(names = "--min-validation", defaultValue = "50", description = "Validation examples the evaluator waits for. Default: ${DEFAULT-VALUE}")
    int minValidation;

    @Option(names = "--max-tokens", defaultValue = "128", description = "Tokens kept per email. Default: ${DEFAULT-VALUE}")
    int maxTokens;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions per topic. Default: ${DEFAULT-VALUE}")
    int partitions;

    @Option(names = "--drain", defaultValue = "90", description = "Seconds to wait after the last example for promotions to cover it. Default: ${DEFAULT-VALUE}")
    double drainSeconds;

    @Option(names = "--json", description = "Also write the figures as JSON to this file.")
    Path json;

    /** A model version and when it appeared (record timestamp, ms): a candidate, or a promotion's model. */
    record TimedVersion(long atMillis, long version, List<OffsetRange> cumulative, String reason) {
    }

    /** Where a TRAIN example's features landed and when the example was produced. */
    record TrainExample(String exampleId, int partition, long offset, long producedMillis) {
    }

    private record FeatureOffset(int partition, long offset, String exampleId) {
    }

    /** Percentiles of a set of delays, in seconds. */
    record Summary(int count, double p50, double p95, double max) {
        static Summary of(double[] values) {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            return new Summary(sorted.length, percentile(sorted, 0.50), percentile(sorted, 0.95),
                    sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (limit < 10) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--limit must be at least 10, got " + limit);
        }
        if (!(rate > 0) || !(publishIntervalSeconds > 0) || !(drainSeconds >= 0)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--rate and --publish-interval must be positive and --drain >= 0, got " + rate + ", "
                            + publishIntervalSeconds + ", " + drainSeconds);
        }
        Duration interval = Duration.ofMillis(Math.round(publishIntervalSeconds * 1000));
        GateConfig gate = PipelineConfig.gateWithMinValidation(minValidation);
        gate = refreshTolerance >= 0 ? gate.withRefreshTolerance(refreshTolerance) : gate.withoutRefresh();
        Corpus corpus = SpamAssassin.load().stratifiedSample(limit, 42);
        Path data = Files.createTempDirectory("streamtune-freshness");
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("streamtune bench freshness: %d emails at %.1f/s, trainer publishes every %.0f s (time only), "
                        + "gate: %s, min %d validation examples, %d cores%n", corpus.size(), rate, publishIntervalSeconds,
                gate.refreshEnabled() ? "refresh promotions ON (tolerance " + gate.refreshTolerance() + ")" : "refresh OFF",
                minValidation, cores);

        try (StreamtunePlatform platform = StreamtunePlatform.start(new PlatformConfig(0, 0, Optional.of(data), partitions));
             LocalPipeline pipeline = LocalPipeline.start(new PipelineConfig(platform.bootstrapServers(),
                     platform.registryUrl(), "", partitions, -1, data, List.of(TASK), 32, maxTokens, cores, 1_000_000_000L,
                     interval, gate, dev.streamtune.schemas.KafkaClientProperties.none()),
                     // The trainer also publishes when its input goes idle for one micro-batch wait (meant for the end
                     // of a backfill). At a trickle of a few examples a second it is idle between nearly every record,
                     // so with the default wait it publishes every second or so and the interval would measure
                     // nothing. A batch wait of one publish interval keeps the cadence time-based while the stream
                     // flows and still publishes the tail once the stream has been quiet for an interval.
                     trainer -> trainer.withMicroBatch(trainer.microBatchSize(), interval))) {
            Topics topics = Topics.defaults();
            SchemaRegistryClient registry = new RestSchemaRegistryClient(platform.registryUrl());
            AvroSerdeConfig serde = platform.serdeConfig();
            TaskCommand.publish(ConnectionOptions.of(platform.bootstrapServers(), platform.registryUrl()),
                    TaskSpec.newBuilder().setTask(TASK).setLabels(List.of("ham", "spam")).setLabelSetClosed(true)
                            .setTechnique(HybridTechnique.ID).setDescription("SpamAssassin public corpus (freshness benchmark)")
                            .setCreatedAt(Instant.now()).build());

            Map<String, Long> producedAt = new ConcurrentHashMap<>();
            AtomicLong produced = new AtomicLong();
            AtomicBoolean producing = new AtomicBoolean(true);
            Thread producer = new Thread(() -> produce(platform, registry, serde, topics, corpus, producedAt, produced,
                    producing), "freshness-producer");
            producer.setDaemon(true);
            producer.start();

            Watcher watcher = new Watcher(platform.bootstrapServers(), registry, serde, topics);
            Thread watch = new Thread(watcher, "freshness-watcher");
            watch.setDaemon(true);
            watch.start();

            long start = System.nanoTime();
            long drainDeadline = Long.MAX_VALUE;
            while (true) {
                Thread.sleep(5_000);
                List<TrainExample> train = watcher.trainExamples(producedAt);
                List<TimedVersion> promotions = List.copyOf(watcher.promotions);
                long uncovered = train.stream().filter(e -> firstCovering(promotions, topics.features(LocalPipeline.BACKBONE),
                        e.partition(), e.offset()).isEmpty()).count();
                IngestMetrics ingest = pipeline.ingestMetrics();
                long routedTrain = ingest.routed(Split.TRAIN);
                double elapsed = (System.nanoTime() - start) / 1e9;
                long refreshes = promotions.stream().filter(p -> p.reason().startsWith("refresh: ")).count();
                if (!producing.get() && drainDeadline == Long.MAX_VALUE) {
                    drainDeadline = System.nanoTime() + (long) (drainSeconds * 1e9);
                }
                double eta = producing.get() ? (corpus.size() - produced.get()) / rate : Math.max(0,
                        (drainDeadline - System.nanoTime()) / 1e9);
                System.out.printf("[%s] produced %d/%d · featurized %d (%.1f/s) · train vectors %d/%d routed · "
                                + "candidates %d · promotions %d (%d refresh) · train examples not yet served %d · ETA %s%n",
                        CorpusRun.Progress.formatSeconds(elapsed), produced.get(), corpus.size(),
                        pipeline.featurizer().textsEncoded(), pipeline.featurizer().textsEncoded() / Math.max(elapsed, 1e-9),
                        train.size(), routedTrain, watcher.candidates.size(), promotions.size(), refreshes, uncovered,
                        producing.get() ? CorpusRun.Progress.formatSeconds(eta) + " to produce"
                                : "<= " + CorpusRun.Progress.formatSeconds(eta) + " of drain");
                List<String> failures = pipeline.failures();
                if (!failures.isEmpty()) {
                    System.err.println("a service failed: " + failures);
                    return 1;
                }
                boolean caughtUp = !producing.get() && train.size() >= routedTrain && uncovered == 0
                        && ingest.routedTotal() + ingest.rejectedTotal() + ingest.duplicatesDropped() >= corpus.size();
                if (caughtUp || System.nanoTime() > drainDeadline) {
                    break;
                }
            }
            long endMillis = System.currentTimeMillis();
            watcher.stop();
            watch.join(10_000);
            return report(watcher.trainExamples(producedAt), List.copyOf(watcher.candidates), List.copyOf(watcher.promotions),
                    topics.features(LocalPipeline.BACKBONE), endMillis, corpus.size());
        }
    }

    private int report(List<TrainExample> train, List<TimedVersion> candidates, List<TimedVersion> promotions,
            String featuresTopic, long endMillis, int total) throws Exception {
        if (train.isEmpty()) {
            System.err.println("no train example reached the features topic; nothing to measure");
            return 1;
        }
        long firstPromotion = promotions.stream().mapToLong(TimedVersion::atMillis).min().orElse(Long.MAX_VALUE);
        List<Double> all = new ArrayList<>();
        List<Double> steady = new ArrayList<>();
        List<Double> trainerOnly = new ArrayList<>();
        List<Double> servedSteady = new ArrayList<>();
        int censored = 0;
        for (TrainExample e : train) {
            OptionalLong promoted = firstCovering(promotions, featuresTopic, e.partition(), e.offset());
            if (promoted.isEmpty()) {
                censored++;
            }
            double delay = (promoted.orElse(endMillis) - e.producedMillis()) / 1000.0;
            all.add(delay);
            if (e.producedMillis() >= firstPromotion) {
                steady.add(delay);
                if (promoted.isPresent()) {
                    servedSteady.add(delay);
                }
            }
            firstCovering(candidates, featuresTopic, e.partition(), e.offset())
                    .ifPresent(t -> trainerOnly.add((t - e.producedMillis()) / 1000.0));
        }
        Summary steadySummary = Summary.of(steady.stream().mapToDouble(Double::doubleValue).toArray());
        Summary allSummary = Summary.of(all.stream().mapToDouble(Double::doubleValue).toArray());
        Summary servedSummary = Summary.of(servedSteady.stream().mapToDouble(Double::doubleValue).toArray());
        Summary candidateSummary = Summary.of(trainerOnly.stream().mapToDouble(Double::doubleValue).toArray());
        long refreshes = promotions.stream().filter(p -> p.reason().startsWith("refresh: ")).count();
        double ratio = steadySummary.p95() / publishIntervalSeconds;
        Summary cadence = Summary.of(gapsSeconds(candidates));

        System.out.println();
        System.out.printf("freshness (produce -> promoted version covering it), publish interval %.1f s, %d emails, "
                + "%d train examples, %d candidates, %d promotions (%d of them refresh)%n", publishIntervalSeconds, total,
                train.size(), candidates.size(), promotions.size(), refreshes);
        print("steady state (produced after the first promotion)", steadySummary);
        print("all train examples (incl. warm-up before any champion)", allSummary);
        print("steady state, only examples a promotion covered", servedSummary);
        print("first candidate covering it (trainer alone)", candidateSummary);
        System.out.printf("  gap between candidates: median %.1f s, max %.1f s (the real publish cadence)%n",
                cadence.p50(), cadence.max());
        System.out.printf("  not covered by any promotion at the end (counted at the end time): %d%n", censored);
        System.out.printf("  p95 / publish interval = %.2f (goal <= 2.00: %s)%n", ratio, ratio <= 2 ? "met" : "NOT met");

        if (json != null) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("p50_s", steadySummary.p50());
            out.put("p95_s", steadySummary.p95());
            out.put("max_s", steadySummary.max());
            out.put("count", steadySummary.count());
            out.put("publish_interval_s", publishIntervalSeconds);
            out.put("p95_over_interval", ratio);
            out.put("all_p50_s", allSummary.p50());
            out.put("all_p95_s", allSummary.p95());
            out.put("all_max_s", allSummary.max());
            out.put("all_count", allSummary.count());
            out.put("served_p50_s", servedSummary.p50());
            out.put("served_p95_s", servedSummary.p95());
            out.put("served_max_s", servedSummary.max());
            out.put("served_count", servedSummary.count());
            out.put("candidate_p50_s", candidateSummary.p50());
            out.put("candidate_p95_s", candidateSummary.p95());
            out.put("candidate_max_s", candidateSummary.max());
            out.put("candidate_gap_median_s", cadence.p50());
            out.put("candidate_gap_max_s", cadence.max());
            out.put("censored", censored);
            out.put("candidates", candidates.size());
            out.put("promotions", promotions.size());
            out.put("refresh_promotions", refreshes);
            out.put("refresh_tolerance", refreshTolerance >= 0 ? refreshTolerance : null);
            out.put("rate_per_s", rate);
            out.put("emails", total);
            out.put("min_validation", minValidation);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), out);
            System.out.println("figures written to " + json.toAbsolutePath());
        }
        return 0;
    }

    private static void print(String what, Summary s) {
        System.out.printf("  %-56s p50 %6.1f s · p95 %6.1f s · max %6.1f s · n=%d%n", what, s.p50(), s.p95(), s.max(), s.count());
    }

    /**
     * The time of the earliest version whose cumulative ranges cover {@code offset} of {@code partition} of
     * {@code topic} (ranges are half-open), or empty when none does.
     */
    static OptionalLong firstCovering(List<TimedVersion> versions, String topic, int partition, long offset) {
        long best = Long.MAX_VALUE;
        for (TimedVersion v : versions) {
            if (v.atMillis() < best && covers(v.cumulative(), topic, partition, offset)) {
                best = v.atMillis();
            }
        }
        return best == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(best);
    }

    static boolean covers(List<OffsetRange> ranges, String topic, int partition, long offset) {
        for (OffsetRange r : ranges) {
            if (r.getPartition() == partition && topic.equals(r.getTopic())
                    && r.getFromOffset() <= offset && offset < r.getUntilOffset()) {
                return true;
            }
        }
        return false;
    }

    /** Seconds between consecutive versions, in time order. */
    static double[] gapsSeconds(List<TimedVersion> versions) {
        long[] times = versions.stream().mapToLong(TimedVersion::atMillis).sorted().toArray();
        double[] gaps = new double[Math.max(0, times.length - 1)];
        for (int i = 1; i < times.length; i++) {
            gaps[i - 1] = (times[i] - times[i - 1]) / 1000.0;
        }
        return gaps;
    }

    /** Linear interpolation between closest ranks (type 7, as numpy's default) on sorted values; NaN when empty. */
    static double percentile(double[] sorted, double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q must be in [0, 1], got " + q);
        }
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    private void produce(StreamtunePlatform platform, SchemaRegistryClient registry, AvroSerdeConfig serde, Topics topics,
            Corpus corpus, Map<String, Long> producedAt, AtomicLong produced, AtomicBoolean producing) {
        try {
            // the record's CreateTime: the same clock as the timestamps of updates and candidates
            CorpusProducer.produce(ConnectionOptions.of(platform.bootstrapServers(), platform.registryUrl()).kafka(), registry, serde, topics.raw(), TASK, corpus, rate,
                    (id, timestamp) -> {
                        producedAt.put(id, timestamp);
                        produced.incrementAndGet();
                    });
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        } finally {
            producing.set(false);
        }
    }

    /** Follows the features, candidates and updates topics from the start until stopped. */
    private static final class Watcher implements Runnable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final AvroDeserializer<FeatureVector> features;
        private final AvroDeserializer<ModelVersion> versions;
        private final AvroDeserializer<ModelUpdate> updates;
        private final Topics topics;
        private final String featuresTopic;
        private final AtomicBoolean running = new AtomicBoolean(true);
        /** Where each TRAIN vector of the task landed. */
        private final List<FeatureOffset> trainVectors = new CopyOnWriteArrayList<>();
        final List<TimedVersion> candidates = new CopyOnWriteArrayList<>();
        final List<TimedVersion> promotions = new CopyOnWriteArrayList<>();

        Watcher(String bootstrap, SchemaRegistryClient registry, AvroSerdeConfig serde, Topics topics) {
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
            this.features = new AvroDeserializer<>(registry, serde, FeatureVector.class);
            this.versions = new AvroDeserializer<>(registry, serde, ModelVersion.class);
            this.updates = new AvroDeserializer<>(registry, serde, ModelUpdate.class);
            this.topics = topics;
            this.featuresTopic = topics.features(LocalPipeline.BACKBONE);
        }

        @Override
        public void run() {
            try (consumer) {
                List<TopicPartition> assigned = new ArrayList<>();
                for (String topic : List.of(featuresTopic, topics.candidates(), topics.updates())) {
                    consumer.partitionsFor(topic, Duration.ofSeconds(30))
                            .forEach(p -> assigned.add(new TopicPartition(topic, p.partition())));
                }
                consumer.assign(assigned);
                consumer.seekToBeginning(assigned);
                while (running.get()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.value() != null) {
                            accept(r);
                        }
                    }
                }
            } catch (RuntimeException e) {
                if (running.get()) {
                    System.err.println("freshness watcher stopped: " + e);
                }
            }
        }

        private void accept(ConsumerRecord<String, byte[]> r) {
            if (r.topic().equals(featuresTopic)) {
                FeatureVector f = features.deserialize(r.topic(), r.value());
                if (TASK.equals(f.getTask()) && f.getSplit() == Split.TRAIN) {
                    trainVectors.add(new FeatureOffset(r.partition(), r.offset(), f.getExampleId().toString()));
                }
            } else if (r.topic().equals(topics.candidates())) {
                ModelVersion v = versions.deserialize(r.topic(), r.value());
                if (TASK.equals(v.getTask())) {
                    candidates.add(new TimedVersion(r.timestamp(), v.getVersion(), v.getCumulativeOffsetRanges(), ""));
                }
            } else {
                ModelUpdate u = updates.deserialize(r.topic(), r.value());
                if (TASK.equals(u.getTask()) && u.getAction() == UpdateAction.PROMOTE) {
                    promotions.add(new TimedVersion(r.timestamp(), u.getVersion(),
                            u.getModel().getCumulativeOffsetRanges(), u.getReason()));
                }
            }
        }

        /** TRAIN vectors whose example this run produced (its produce acknowledgement has arrived). */
        List<TrainExample> trainExamples(Map<String, Long> producedAt) {
            List<TrainExample> out = new ArrayList<>();
            for (FeatureOffset v : trainVectors) {
                Long at = producedAt.get(v.exampleId());
                if (at != null) {
                    out.add(new TrainExample(v.exampleId(), v.partition(), v.offset(), at));
                }
            }
            return out;
        }

        void stop() {
            running.set(false);
            consumer.wakeup();
        }
    }
}
