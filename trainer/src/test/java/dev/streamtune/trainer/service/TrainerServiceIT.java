package dev.streamtune.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.OffsetRange;
import dev.streamtune.avro.Split;
import dev.streamtune.model.head.Predictor;
import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.schemas.MetricNames;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import dev.streamtune.model.hybrid.HybridClassifier;
import dev.streamtune.model.hybrid.HybridTechnique;
import dev.streamtune.model.hybrid.LexicalHasher;
import dev.streamtune.model.hybrid.LexicalTerms;
import org.junit.jupiter.api.io.TempDir;

/** The trainer service on a real KRaft broker and schema registry, with real Avro bytes and DJL. */
class TrainerServiceIT {
    private static StreamtunePlatform platform;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startPlatform() {
        platform = StreamtunePlatform.start(PlatformConfig.ephemeral());
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    private TrainerServiceConfig config(ServiceFixture fixture, String task, Path checkpoints) {
        return TrainerServiceConfig.defaults(platform.bootstrapServers(), platform.serdeConfig(), task, checkpoints)
                .withTopics(fixture.topics)
                .withDevice("cpu")
                .withMicroBatch(32, Duration.ofMillis(100))
                .withPublishEvery(200, Duration.ofSeconds(30))
                .withStatusInterval(Duration.ofSeconds(2))
                .withTaskSpecTimeout(Duration.ofSeconds(30));
    }

    private static Thread start(TrainerService service) {
        Thread thread = new Thread(service, "trainer-under-test");
        thread.start();
        return thread;
    }

    /** Train, validation and other-task records for {@code labels}, shuffled together. */
    private static List<FeatureVector> mixed(String task, ServiceFixture.Clusters clusters, List<String> labels,
            int trainPerLabel, int validationPerLabel, String idPrefix, Random random) {
        List<FeatureVector> vectors = new ArrayList<>();
        for (String label : labels) {
            for (int i = 0; i < trainPerLabel; i++) {
                vectors.add(ServiceFixture.vector(task, idPrefix + label + "-t" + i, label, Split.TRAIN, clusters.sample(label)));
            }
            for (int i = 0; i < validationPerLabel; i++) {
                vectors.add(ServiceFixture.vector(task, idPrefix + label + "-v" + i, label, Split.VALIDATION,
                        clusters.sample(label)));
            }
            for (int i = 0; i < trainPerLabel / 10; i++) {
                vectors.add(ServiceFixture.vector("another-task", idPrefix + label + "-o" + i, label, Split.TRAIN,
                        clusters.sample(label)));
            }
        }
        java.util.Collections.shuffle(vectors, random);
        return vectors;
    }

    private static double macroF1(Predictor predictor, List<FeatureVector> validation) {
        List<String> truth = new ArrayList<>();
        List<String> predicted = new ArrayList<>();
        for (FeatureVector vector : validation) {
            float[] features = new float[vector.getVector().size()];
            for (int i = 0; i < features.length; i++) {
                features[i] = vector.getVector().get(i);
            }
            truth.add(vector.getLabel());
            predicted.add(predictor.predict(features).label());
        }
        return ServiceFixture.macroF1(truth, predicted);
    }

    private static List<FeatureVector> validation(List<FeatureVector> vectors, String task) {
        return vectors.stream().filter(v -> v.getTask().equals(task) && v.getSplit() == Split.VALIDATION).toList();
    }

    @Test
    void publishesVersionsWithExactProvenanceLearnsAndGrowsTheHeadForANewLabel() throws Exception {
        String task = "intent";
        ServiceFixture fixture = new ServiceFixture(platform, "svc.", 3);
        // class weighting on (the default): it weighs by cumulative class frequency, so a label arriving
        // after 600 examples gets weights of 2-150 while it is a quarter of the stream. The default two
        // rehearsal steps per micro-batch on the class-balanced replay (uniform weights) keep the old
        // classes: old-class macro-F1 1.000 -> 0.992-0.997 here; with rehearsal_steps=0 it fell 0.972 -> 0.859.
        fixture.declareTask(task, List.of("alpha", "beta", "gamma"), false,
                Map.of("head", "linear", TrainerService.CLASS_WEIGHTING, "true"));
        Random random = new Random(7);
        ServiceFixture.Clusters clusters = new ServiceFixture.Clusters(11, 4.0);
        List<FeatureVector> first = mixed(task, clusters, List.of("alpha", "beta", "gamma"), 200, 60, "p1-", random);
        List<RecordMetadata> landed = fixture.produce(first);
        long trainCount = first.stream().filter(v -> v.getTask().equals(task) && v.getSplit() == Split.TRAIN).count();

        TrainerService service = new TrainerService(config(fixture, task, tmp.resolve("ckpt")), ServiceFixture.TRAINER_KEY);
        Thread thread = start(service);
        StartupReport report = service.awaitStarted(Duration.ofSeconds(60));
        assertThat(report.restoredFrom()).isEmpty();
        assertThat(report.highestPublishedVersion()).isZero();

        List<ModelVersion> versions = fixture.awaitVersions(task,
                vs -> !vs.isEmpty() && vs.get(vs.size() - 1).getExamplesSeen() == trainCount, Duration.ofSeconds(60));

        // version numbers 1..n, each naming the one before as parent
        for (int i = 0; i < versions.size(); i++) {
            ModelVersion version = versions.get(i);
            assertThat(version.getVersion()).isEqualTo(i + 1L);
            assertThat(version.getParentVersion()).isEqualTo(i == 0 ? null : (long) i);
            // signed by the trainer's key over exactly what was published (read back from the topic)
            ServiceFixture.TRAINER_KEY.asTrusted().verify(version);
        }
        assertThat(versions.size()).as("600 train examples, a version every 200").isBetween(3, 5);

        // new-data ranges: contiguous per partition from offset 0 to the end, no gap, no overlap
        Map<Integer, Long> endByPartition = new TreeMap<>();
        for (RecordMetadata metadata : landed) {
            endByPartition.merge(metadata.partition(), metadata.offset() + 1, Math::max);
        }
        Map<Integer, Long> nextExpected = new TreeMap<>();
        for (ModelVersion version : versions) {
            for (OffsetRange range : version.getOffsetRanges()) {
                assertThat(range.getTopic()).isEqualTo(fixture.featuresTopic);
                assertThat(range.getFromOffset()).as("version %d partition %d starts where its parent ended",
                        version.getVersion(), range.getPartition())
                        .isEqualTo(nextExpected.getOrDefault(range.getPartition(), 0L));
                assertThat(range.getUntilOffset()).isGreaterThan(range.getFromOffset());
                nextExpected.put(range.getPartition(), range.getUntilOffset());
            }
        }
        assertThat(nextExpected).isEqualTo(endByPartition);
        ModelVersion last = versions.get(versions.size() - 1);
        Map<Integer, Long> cumulativeEnds = new TreeMap<>();
        for (OffsetRange range : last.getCumulativeOffsetRanges()) {
            assertThat(range.getFromOffset()).isZero();
            cumulativeEnds.put(range.getPartition(), range.getUntilOffset());
        }
        assertThat(cumulativeEnds).isEqualTo(endByPartition);

        // the rest of the provenance
        assertThat(last.getTask()).isEqualTo(task);
        assertThat(last.getTechnique()).isEqualTo("head");
        assertThat(last.getLabels()).containsExactly("alpha", "beta", "gamma");
        assertThat(last.getBase().getBackbone()).isEqualTo(ServiceFixture.BACKBONE);
        assertThat(last.getBase().getSha256()).isEqualTo(ServiceFixture.backboneSha256());
        assertThat(last.getHyperparameters()).containsEntry("head", "linear").containsEntry("batch_size", "32")
                .containsEntry("class_weighting", "true")
                .containsKeys("lr", "weight_decay", "warmup_steps", "replay_fraction", "seed");
        assertThat(last.getTrainableParams()).isEqualTo(384L * 3 + 3);
        assertThat(last.getSteps()).isGreaterThanOrEqualTo(trainCount / 32);
        assertThat(last.getDevice()).isEqualTo("cpu");
        assertThat(last.getCodeVersion()).isNotBlank();
        assertThat(last.getTrainMetrics().get(MetricNames.LOSS)).isFinite().isPositive();
        assertThat(last.getDelta().getSizeBytes()).isEqualTo(last.getDelta().getInline().remaining());
        assertThat(versions.stream().mapToLong(v -> (long) v.getTrainMetrics().get("new_examples").doubleValue()).sum())
                .isEqualTo(trainCount);

        // a head that learned: macro-F1 on the validation split from the published delta alone
        List<FeatureVector> validation = validation(first, task);
        double f1 = macroF1(ServiceFixture.predictor(last), validation);
        System.out.printf("trainer service: %d versions, validation macro-F1 %.3f on %d examples%n", versions.size(), f1,
                validation.size());
        assertThat(f1).isGreaterThanOrEqualTo(0.95);

        // one TRAINING metrics event per version, group offsets committed at the ends
        AvroDeserializer<MetricsEvent> metrics = new AvroDeserializer<>(SchemaRegistryClients.create(platform.serdeConfig()),
                platform.serdeConfig(), MetricsEvent.class);
        List<MetricsEvent> training = fixture.readAll(fixture.topics.metrics()).stream()
                .map(r -> metrics.deserialize(r.topic(), r.value())).filter(m -> m.getKind() == MetricKind.TRAINING).toList();
        assertThat(training).hasSize(versions.size());
        assertThat(training.get(training.size() - 1).getValues().get(MetricNames.EXAMPLES_SEEN)).isEqualTo((double) trainCount);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("streamtune-trainer-" + task)
                    .partitionsToOffsetAndMetadata().get();
            Map<Integer, Long> committedEnds = new TreeMap<>();
            committed.forEach((tp, om) -> committedEnds.put(tp.partition(), om.offset()));
            assertThat(committedEnds).isEqualTo(endByPartition);
        }
        TrainerCounters counters = service.counters();
        assertThat(counters.examplesTrained()).isEqualTo(trainCount);
        assertThat(counters.versionsPublished()).isEqualTo(versions.size());
        assertThat(counters.recordsSkipped()).isEqualTo(first.size() - trainCount);

        // a new label in the open task: the head grows without a restart, old classes hold
        double oldF1 = f1;
        List<FeatureVector> second = mixed(task, clusters, List.of("alpha", "beta", "gamma", "delta"), 100, 40, "p2-", random);
        fixture.produce(second);
        long totalTrain = trainCount + second.stream().filter(v -> v.getTask().equals(task) && v.getSplit() == Split.TRAIN).count();
        List<ModelVersion> grown = fixture.awaitVersions(task,
                vs -> vs.get(vs.size() - 1).getExamplesSeen() == totalTrain, Duration.ofSeconds(60));
        ModelVersion after = grown.get(grown.size() - 1);
        assertThat(after.getLabels()).containsExactly("alpha", "beta", "gamma", "delta");
        assertThat(after.getTrainableParams()).isEqualTo(384L * 4 + 4);
        Predictor grownPredictor = ServiceFixture.predictor(after);
        // the same old-class validation examples as before the new label, so the comparison is like for like
        List<FeatureVector> oldClassValidation = validation;
        List<FeatureVector> newClassValidation = validation(second, task).stream()
                .filter(v -> v.getLabel().equals("delta")).toList();
        double oldClassesF1After = macroF1(grownPredictor, oldClassValidation);
        long newCorrect = newClassValidation.stream().filter(v -> {
            float[] x = new float[v.getVector().size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = v.getVector().get(i);
            }
            return grownPredictor.predict(x).label().equals("delta");
        }).count();
        double newRecall = newCorrect / (double) newClassValidation.size();
        System.out.printf("after growing to 4 labels: old-class macro-F1 %.3f (before %.3f), new-label recall %.3f%n",
                oldClassesF1After, oldF1, newRecall);
        // measured 1.000 -> 1.000 on these 180 examples; one example is about 0.005 of macro-F1
        assertThat(oldClassesF1After).isGreaterThanOrEqualTo(oldF1 - 0.03);
        assertThat(newRecall).isGreaterThanOrEqualTo(0.8);
        assertThat(service.counters().labels()).isEqualTo(4);

        service.close();
        thread.join(10_000);
        assertThat(service.failure()).isEmpty();

        // a truncated newest checkpoint: the next start uses the one before and says so
        Path checkpoints = tmp.resolve("ckpt");
        List<Path> files;
        try (var list = Files.list(checkpoints)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".stck")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(2);
        Path newest = files.get(files.size() - 1);
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        long highest = grown.get(grown.size() - 1).getVersion();
        TrainerService restarted = new TrainerService(config(fixture, task, checkpoints), ServiceFixture.TRAINER_KEY);
        Thread restartedThread = start(restarted);
        StartupReport fallback = restarted.awaitStarted(Duration.ofSeconds(60));
        System.out.println("restart after truncating " + newest.getFileName() + ": " + fallback);
        assertThat(fallback.skippedCheckpoints()).hasSize(1);
        assertThat(fallback.skippedCheckpoints().get(0).path()).isEqualTo(newest);
        assertThat(fallback.skippedCheckpoints().get(0).reason()).contains("digest mismatch");
        assertThat(fallback.restoredFrom()).contains(files.get(files.size() - 2));
        assertThat(fallback.checkpointVersion()).isEqualTo(highest - 1);
        assertThat(fallback.highestPublishedVersion()).isEqualTo(highest);
        assertThat(fallback.republishedVersion()).isEmpty();
        assertThat(fallback.toString()).contains("skipped corrupt checkpoint " + newest);
        // it retrains the data of the lost version and publishes it under a new number, as a branch of its true parent
        List<ModelVersion> branched = fixture.awaitVersions(task, vs -> vs.size() == grown.size() + 1, Duration.ofSeconds(60));
        ModelVersion branch = branched.get(branched.size() - 1);
        assertThat(branch.getVersion()).isEqualTo(highest + 1);
        assertThat(branch.getParentVersion()).isEqualTo(highest - 1);
        assertThat(branch.getOffsetRanges()).isEqualTo(grown.get(grown.size() - 1).getOffsetRanges());
        restarted.close();
        restartedThread.join(10_000);
        assertThat(restarted.failure()).isEmpty();
    }

    @Test
    void aVersionCheckpointedButNotPublishedBeforeACrashIsPublishedOnceOnRestart() throws Exception {
        String task = "cutoff";
        ServiceFixture fixture = new ServiceFixture(platform, "cut.", 2);
        fixture.declareTask(task, List.of("x", "y"), false, Map.of());
        ServiceFixture.Clusters clusters = new ServiceFixture.Clusters(9, 4.0);
        List<FeatureVector> vectors = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String label = i % 2 == 0 ? "x" : "y";
            vectors.add(ServiceFixture.vector(task, "k" + i, label, Split.TRAIN, clusters.sample(label)));
        }
        fixture.produce(vectors);
        Path checkpoints = tmp.resolve("cut");
        TrainerServiceConfig config = config(fixture, task, checkpoints).withPublishEvery(100, Duration.ofSeconds(30));
        TrainerService crashing = ServiceFixture.crashingAfterCheckpointOf(config, 2);
        Thread thread = start(crashing);
        thread.join(60_000);
        assertThat(crashing.failure()).get().isInstanceOf(ServiceFixture.SimulatedCrash.class);
        assertThat(fixture.versions(task)).extracting(ModelVersion::getVersion).containsExactly(1L);

        TrainerService restarted = new TrainerService(config, ServiceFixture.TRAINER_KEY);
        Thread restartedThread = start(restarted);
        StartupReport report = restarted.awaitStarted(Duration.ofSeconds(60));
        System.out.println("restart after a crash between checkpoint and publish: " + report);
        assertThat(report.checkpointVersion()).isEqualTo(2);
        assertThat(report.highestPublishedVersion()).isEqualTo(1);
        assertThat(report.republishedVersion()).hasValue(2);
        List<ModelVersion> versions = fixture.awaitVersions(task,
                vs -> !vs.isEmpty() && vs.get(vs.size() - 1).getExamplesSeen() == 300, Duration.ofSeconds(60));
        assertThat(versions).extracting(ModelVersion::getVersion).containsExactly(1L, 2L, 3L);
        assertThat(versions.get(1).getExamplesSeen()).isEqualTo(200);
        // the re-published version carries the ranges its checkpoint recorded: contiguous with its neighbours
        Map<Integer, Long> next = new TreeMap<>();
        long total = 0;
        for (ModelVersion version : versions) {
            for (OffsetRange range : version.getOffsetRanges()) {
                assertThat(range.getFromOffset()).isEqualTo(next.getOrDefault(range.getPartition(), 0L));
                next.put(range.getPartition(), range.getUntilOffset());
                total += range.getUntilOffset() - range.getFromOffset();
            }
        }
        assertThat(total).isEqualTo(300);
        restarted.close();
        restartedThread.join(10_000);
        assertThat(restarted.failure()).isEmpty();
    }

    @Test
    void onTheCpuARunCutByACrashEndsWhereAStraightRunEnds() throws Exception {
        String task = "determinism";
        ServiceFixture.Clusters clusters = new ServiceFixture.Clusters(21, 4.0);
        List<FeatureVector> vectors = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String label = i % 3 == 0 ? "x" : "y";
            vectors.add(ServiceFixture.vector(task, "d" + i, label, Split.TRAIN, clusters.sample(label)));
        }
        List<List<ModelVersion>> runs = new ArrayList<>();
        for (boolean crash : new boolean[] {false, true}) {
            // one partition and count-only batching (a long max wait): batches do not depend on poll timing
            ServiceFixture fixture = new ServiceFixture(platform, crash ? "detcrash." : "detstraight.", 1);
            fixture.declareTask(task, List.of("x", "y"), false, Map.of());
            fixture.produce(vectors);
            TrainerServiceConfig config = config(fixture, task, tmp.resolve(crash ? "det-crash" : "det-straight"))
                    .withMicroBatch(32, Duration.ofSeconds(30)).withPublishEvery(100, Duration.ofHours(1));
            if (crash) {
                TrainerService first = ServiceFixture.crashingAfterCheckpointOf(config, 2);
                Thread thread = start(first);
                thread.join(60_000);
                assertThat(first.failure()).get().isInstanceOf(ServiceFixture.SimulatedCrash.class);
            }
            TrainerService service = new TrainerService(config, ServiceFixture.TRAINER_KEY);
            Thread thread = start(service);
            runs.add(fixture.awaitVersions(task, vs -> vs.size() == 3, Duration.ofSeconds(60)));
            service.close();
            thread.join(10_000);
        }
        for (int v = 0; v < 3; v++) {
            ModelVersion straight = runs.get(0).get(v);
            ModelVersion resumed = runs.get(1).get(v);
            assertThat(resumed.getExamplesSeen()).isEqualTo(straight.getExamplesSeen());
            assertThat(resumed.getSteps()).isEqualTo(straight.getSteps());
            assertThat(resumed.getDelta().getSha256()).as("delta of version %d", v + 1)
                    .isEqualTo(straight.getDelta().getSha256());
        }
    }

    @Test
    void hybridRefitsOnEverythingRetainedAndARestartReReadsWhatTheCheckpointDoesNotHold() throws Exception {
        String task = "hybrid";
        ServiceFixture fixture = new ServiceFixture(platform, "hyb.", 2);
        fixture.declareTask(task, List.of("x", "y"), true, HybridTechnique.ID,
                Map.of(HybridTechnique.BUCKETS, "1024", HybridTechnique.C_GRID, "1,16"));
        ServiceFixture.Clusters clusters = new ServiceFixture.Clusters(31, 2.5);
        Random random = new Random(31);
        List<FeatureVector> vectors = mixed(task, clusters, List.of("x", "y"), 150, 40, "h", random);
        // the words carry the label too: one of two words per class, in every train and validation example
        List<FeatureVector> withTerms = new ArrayList<>();
        for (FeatureVector v : vectors) {
            LexicalTerms terms = LexicalHasher.terms(v.getLabel().equals("x") ? "alpha report" : "winner prize");
            withTerms.add(FeatureVector.newBuilder(v).setTerms(java.util.Arrays.stream(terms.hashes()).boxed().toList())
                    .setTermCounts(java.util.Arrays.stream(terms.counts()).boxed().toList()).build());
        }
        fixture.produce(withTerms);
        Path checkpoints = tmp.resolve("hybrid");
        TrainerServiceConfig config = config(fixture, task, checkpoints).withPublishEvery(100, Duration.ofSeconds(30));
        TrainerService crashing = ServiceFixture.crashingAfterCheckpointOf(config, 2);
        Thread thread = start(crashing);
        thread.join(60_000);
        assertThat(crashing.failure()).get().isInstanceOf(ServiceFixture.SimulatedCrash.class);

        TrainerService restarted = new TrainerService(config, ServiceFixture.TRAINER_KEY);
        Thread restartedThread = start(restarted);
        StartupReport report = restarted.awaitStarted(Duration.ofSeconds(60));
        assertThat(report.republishedVersion()).hasValue(2);
        List<ModelVersion> versions = fixture.awaitVersions(task,
                vs -> !vs.isEmpty() && vs.get(vs.size() - 1).getExamplesSeen() == 300, Duration.ofSeconds(60));
        restarted.close();
        restartedThread.join(10_000);
        assertThat(restarted.failure()).isEmpty();
        assertThat(versions).extracting(ModelVersion::getVersion).containsExactly(1L, 2L, 3L);
        ModelVersion last = versions.get(2);
        assertThat(last.getTechnique()).isEqualTo(HybridTechnique.ID);
        // the refit after the restart saw every train example, not only those that came after the checkpoint
        assertThat(last.getHyperparameters()).containsEntry("retained", "300")
                .containsEntry(HybridTechnique.BUCKETS, "1024").containsKey("c");
        assertThat(Double.parseDouble(last.getHyperparameters().get("selection_validation_macro_f1"))).isGreaterThan(0.95);
        assertThat(last.getHyperparameters().get("selection_validation_examples")).isEqualTo("80");
        // exactly-once accounting survives the re-read: each version's new ranges start where the previous ended
        Map<Integer, Long> next = new TreeMap<>();
        for (ModelVersion version : versions) {
            for (OffsetRange range : version.getOffsetRanges()) {
                assertThat(range.getFromOffset()).isEqualTo(next.getOrDefault(range.getPartition(), 0L));
                next.put(range.getPartition(), range.getUntilOffset());
            }
        }
        HybridClassifier model = HybridClassifier.fromTensors(dev.streamtune.model.delta.DeltaCodec.decode(
                deltaOf(last, config), HybridClassifier.tensorSpecs(1024, ServiceFixture.DIM, 2)));
        int right = 0;
        List<FeatureVector> held = validation(withTerms, task);
        for (FeatureVector v : held) {
            float[] features = new float[v.getVector().size()];
            for (int i = 0; i < features.length; i++) {
                features[i] = v.getVector().get(i);
            }
            float[] p = model.probabilities(features, LexicalTerms.of(v.getTerms(), v.getTermCounts()));
            right += (p[1] > p[0] ? "y" : "x").equals(v.getLabel()) ? 1 : 0;
        }
        assertThat(right).isEqualTo(held.size());
    }

    private static dev.streamtune.model.delta.Delta deltaOf(ModelVersion version, TrainerServiceConfig config)
            throws Exception {
        if (version.getDelta().getInline() != null) {
            return ServiceFixture.deltaOf(version);
        }
        byte[] bytes = new dev.streamtune.loader.DirectoryArtifactStore(config.artifactDirectory())
                .fetch(java.net.URI.create(version.getDelta().getUri().toString()), version.getDelta().getSizeBytes());
        return new dev.streamtune.model.delta.Delta(version.getDelta().getFormat().toString(), bytes,
                version.getDelta().getSha256().toString());
    }

    @Test
    void aClosedTaskSkipsAndCountsUnknownLabels() throws Exception {
        String task = "closed";
        ServiceFixture fixture = new ServiceFixture(platform, "closed.", 1);
        fixture.declareTask(task, List.of("ham", "spam"), true, Map.of());
        ServiceFixture.Clusters clusters = new ServiceFixture.Clusters(3, 6.0);
        List<FeatureVector> vectors = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            String label = i % 9 == 0 ? "phish" : i % 2 == 0 ? "ham" : "spam";
            vectors.add(ServiceFixture.vector(task, "c" + i, label, Split.TRAIN, clusters.sample(label)));
        }
        fixture.produce(vectors);
        TrainerService service = new TrainerService(config(fixture, task, tmp.resolve("closed")), ServiceFixture.TRAINER_KEY);
        Thread thread = start(service);
        List<ModelVersion> versions = fixture.awaitVersions(task,
                vs -> !vs.isEmpty() && vs.get(vs.size() - 1).getExamplesSeen() == 80, Duration.ofSeconds(60));
        assertThat(versions.get(versions.size() - 1).getLabels()).containsExactly("ham", "spam");
        assertThat(service.counters().unknownLabels()).isEqualTo(10);
        service.close();
        thread.join(10_000);
    }

    @Test
    void poisonOnTheTasksAndCandidatesTopicsIsSkippedAndCountedAndTheTrainerStartsAndTrains() throws Exception {
        String task = "poisoned";
        ServiceFixture fixture = new ServiceFixture(platform, "poison.", 1);
        // a declaration at ingest's default limit of 1,000 labels, of which the stream uses three
        List<String> labels = new ArrayList<>(List.of("ham", "spam", "eggs"));
        for (int i = labels.size(); i < 1_000; i++) {
            labels.add("label-" + i);
        }
        fixture.declareTask(task, labels, false, Map.of());
        // after it, on the same key: bytes that do not decode, and another task's declaration
        fixture.sendBytes(fixture.topics.tasks(), task, new byte[] {0, 0, 0, 0, 99, 1, 2, 3});
        fixture.sendBytes(fixture.topics.tasks(), task, fixture.serialize(fixture.topics.tasks(),
                dev.streamtune.avro.TaskSpec.newBuilder().setTask("someone-else").setLabels(List.of("x")).build()));
        // and keyed by the task on models.candidates: garbage, a tombstone, a forged version near Long.MAX_VALUE
        fixture.sendBytes(fixture.topics.candidates(), task, "not avro".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        fixture.sendBytes(fixture.topics.candidates(), task, null);
        fixture.sendBytes(fixture.topics.candidates(), task, fixture.serialize(fixture.topics.candidates(),
                ModelVersion.newBuilder().setTask(task).setVersion(Long.MAX_VALUE - 1).setTechnique("head")
                        .setBase(new dev.streamtune.avro.BaseModel(ServiceFixture.BACKBONE, "forged"))
                        .setLabels(List.of("ham")).setDelta(dev.streamtune.avro.Delta.newBuilder().setSha256("forged")
                                .setSizeBytes(0).build())
                        .setCreatedAt(java.time.Instant.now()).build()));
        ServiceFixture.Clusters clusters = new ServiceFixture.Clusters(5, 4.0);
        List<FeatureVector> vectors = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            String label = labels.get(i % 3);
            vectors.add(ServiceFixture.vector(task, "p" + i, label, Split.TRAIN, clusters.sample(label)));
        }
        fixture.produce(vectors);

        TrainerService service = new TrainerService(config(fixture, task, tmp.resolve("poisoned")), ServiceFixture.TRAINER_KEY);
        Thread thread = start(service);
        StartupReport report = service.awaitStarted(Duration.ofSeconds(60));
        assertThat(report.highestPublishedVersion()).as("the forged version is not the base of the next").isZero();
        List<ModelVersion> versions = fixture.awaitVersions(task,
                vs -> !vs.isEmpty() && vs.get(vs.size() - 1).getExamplesSeen() == 240, Duration.ofSeconds(90));
        assertThat(versions).extracting(ModelVersion::getVersion).first().isEqualTo(1L);
        assertThat(versions.get(versions.size() - 1).getLabels()).as("the good declaration stands").isEqualTo(labels);
        assertThat(service.counters().poisonRecords()).isEqualTo(5);
        service.close();
        thread.join(10_000);
        assertThat(service.failure()).isEmpty();
    }

    @Test
    void refusesAnUnknownTechniqueAndAnEncoderTechniqueWithoutLabels() throws Exception {
        ServiceFixture fixture = new ServiceFixture(platform, "refused.", 1);
        assertRefused(fixture, "adapterz-task", "adapterz", List.of("a", "b"), "unknown technique 'adapterz'");
        assertRefused(fixture, "lora-task", "lora", List.of(), "needs the task's labels declared");
        assertRefused(fixture, "attempt-task", "attempt", List.of("a", "b"), "needs setting 'source_tasks'");
    }

    private void assertRefused(ServiceFixture fixture, String task, String technique, List<String> labels,
            String message) throws Exception {
        fixture.declareTask(task, labels, false, technique, Map.of());
        TrainerService service = new TrainerService(config(fixture, task, tmp.resolve(task)), ServiceFixture.TRAINER_KEY);
        Thread thread = start(service);
        assertThatThrownBy(() -> service.awaitStarted(Duration.ofSeconds(60)))
                .hasMessageContaining("task '" + task + "'").hasMessageContaining(message);
        thread.join(10_000);
        assertThat(service.failure()).isPresent();
    }
}
