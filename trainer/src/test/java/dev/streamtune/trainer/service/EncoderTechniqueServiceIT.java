package dev.streamtune.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.djl.ndarray.NDManager;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.OffsetRange;
import dev.streamtune.datasets.Corpus;
import dev.streamtune.datasets.CorpusExample;
import dev.streamtune.datasets.FortuneCategories;
import dev.streamtune.datasets.LoadOptions;
import dev.streamtune.datasets.SpamAssassin;
import dev.streamtune.datasets.WordNetSenses;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.backbone.BackboneTokenizer;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSettings;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.model.technique.TrainableModel;
import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.loader.DirectoryArtifactStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer service training encoder techniques from text on a real KRaft broker and schema
 * registry, with the real MiniLM weights: prompt tuning of two source tasks and ATTEMPT over their
 * promoted prompts, LoRA on spam with its delta in the artifact store, and a crash between
 * checkpoint and publish on the text path.
 */
class EncoderTechniqueServiceIT {
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

    private TrainerServiceConfig config(ServiceFixture fixture, String task, int batch, long publishEvery) {
        return TrainerServiceConfig.defaults(platform.bootstrapServers(), platform.serdeConfig(), task,
                        tmp.resolve("checkpoints").resolve(task))
                .withTopics(fixture.topics)
                .withDevice("cpu")
                .withMicroBatch(batch, Duration.ofMillis(100))
                .withPublishEvery(publishEvery, Duration.ofSeconds(20))
                .withStatusInterval(Duration.ofSeconds(2))
                .withTaskSpecTimeout(Duration.ofSeconds(30))
                .withArtifacts(tmp.resolve("artifacts"), TrainerServiceConfig.DEFAULT_INLINE_DELTA_LIMIT);
    }

    private static Thread start(TrainerService service) {
        Thread thread = new Thread(service, "trainer-" + service.config().task());
        thread.start();
        return thread;
    }

    private static List<LabelledExample> texts(String task, List<CorpusExample> examples) {
        List<LabelledExample> texts = new ArrayList<>();
        for (CorpusExample example : examples) {
            texts.add(ServiceFixture.text(task, task + "-" + example.id(), example.label(), example.text()));
        }
        return texts;
    }

    private static Corpus firstLabels(Corpus corpus, int labels, int perLabel) {
        Set<String> keep = new TreeSet<>(corpus.labels().stream().limit(labels).toList());
        return corpus.withLabels(keep).balancedSample(perLabel, 17);
    }

    private static Map<String, String> hyperparameters(ModelVersion version) {
        Map<String, String> map = new HashMap<>();
        version.getHyperparameters().forEach((k, v) -> map.put(k.toString(), v.toString()));
        return map;
    }

    /** Trains one task to {@code examples} seen, stops the service, and returns its last version. */
    private ModelVersion trainToEnd(ServiceFixture fixture, String task, long examples) throws Exception {
        TrainerService service = new TrainerService(config(fixture, task, 8, examples), ServiceFixture.TRAINER_KEY);
        Thread thread = start(service);
        try {
            service.awaitStarted(Duration.ofSeconds(60));
            List<ModelVersion> versions = fixture.awaitVersions(task,
                    vs -> vs.stream().anyMatch(v -> v.getExamplesSeen() == examples), Duration.ofSeconds(90));
            return versions.get(versions.size() - 1);
        } finally {
            service.stop();
            assertThat(service.awaitStopped(Duration.ofSeconds(60))).isTrue();
            thread.join(10_000);
            assertThat(service.failure()).isEmpty();
        }
    }

    @Test
    void attemptWaitsForItsSourceTasksThenTrainsOnTheirPromotedPrompts() throws Exception {
        ServiceFixture fixture = new ServiceFixture(platform, "attempt.", 1);
        fixture.createTextTopics(2);
        Corpus fortunes = firstLabels(FortuneCategories.load(LoadOptions.truncatedTo(400)), 4, 10);
        Corpus senses = firstLabels(WordNetSenses.load(LoadOptions.truncatedTo(400)), 4, 10);
        Corpus spam = SpamAssassin.load(LoadOptions.truncatedTo(1000)).balancedSample(20, 5);
        Map<String, String> prompt = Map.of("max_tokens", "32", "prompt_length", "8");
        fixture.declareTask("fortune", List.copyOf(fortunes.labels()), true, "prompt", prompt);
        fixture.declareTask("wordnet", List.copyOf(senses.labels()), true, "prompt", prompt);
        fixture.declareTask("spam-attempt", List.copyOf(spam.labels()), true, "attempt",
                Map.of("max_tokens", "32", "prompt_length", "8", TrainerService.SOURCE_TASKS, "fortune,wordnet"));
        List<LabelledExample> all = new ArrayList<>(texts("fortune", fortunes.examples()));
        all.addAll(texts("wordnet", senses.examples()));
        all.addAll(texts("spam-attempt", spam.examples()));
        fixture.produceTexts(all);

        TrainerService attempt = new TrainerService(config(fixture, "spam-attempt", 8, 40), ServiceFixture.TRAINER_KEY);
        Thread attemptThread = start(attempt);
        try {
            awaitWaitingFor(attempt, "fortune");
            assertThat(attempt.started()).isNotDone();

            long start = System.nanoTime();
            ModelVersion fortune = trainToEnd(fixture, "fortune", 40);
            ModelVersion wordnet = trainToEnd(fixture, "wordnet", 40);
            System.out.printf("prompt tuning: 2 x 40 examples in %.1f s (%.1f and %.1f examples/s in the service)%n",
                    (System.nanoTime() - start) / 1e9, fortune.getTrainMetrics().get("examples_per_s"),
                    wordnet.getTrainMetrics().get("examples_per_s"));
            assertThat(fortune.getTechnique().toString()).isEqualTo("prompt");
            assertThat(fortune.getOffsetRanges()).allSatisfy(r -> assertThat(r.getTopic().toString())
                    .isEqualTo(fixture.topics.train()));

            fixture.promote(fortune);
            awaitWaitingFor(attempt, "wordnet");
            fixture.promote(wordnet);
            attempt.awaitStarted(Duration.ofSeconds(60));
            assertThat(attempt.waitingFor()).isEmpty();

            List<ModelVersion> versions = fixture.awaitVersions("spam-attempt",
                    vs -> vs.stream().anyMatch(v -> v.getExamplesSeen() == 40), Duration.ofSeconds(90));
            ModelVersion trained = versions.get(versions.size() - 1);
            Map<String, String> provenance = hyperparameters(trained);
            String sources = "fortune@v" + fortune.getVersion() + ",wordnet@v" + wordnet.getVersion();
            System.out.printf("ATTEMPT version %d over %s: %d trainable parameters (%s of the encoder), %.1f examples/s%n",
                    trained.getVersion(), sources, trained.getTrainableParams(), provenance.get("trainable_fraction"),
                    trained.getTrainMetrics().get("examples_per_s"));
            assertThat(trained.getTechnique().toString()).isEqualTo("attempt");
            assertThat(provenance).containsEntry("source_versions", sources)
                    .containsEntry(TrainerService.SOURCE_TASKS, "fortune,wordnet")
                    .containsEntry("prompt_length", "8").containsEntry("max_tokens", "32");
            assertThat(Double.parseDouble(provenance.get("trainable_fraction"))).isPositive().isLessThan(0.01);
            assertThat(trained.getLabels().stream().map(Object::toString).toList())
                    .containsExactlyElementsOf(spam.labels());
            assertThat(trained.getDelta().getInline()).as("an ATTEMPT delta travels inline").isNotNull();
            assertThat(ServiceFixture.deltaOf(trained).size()).isEqualTo(trained.getDelta().getSizeBytes());
            assertThat(trained.getOffsetRanges()).isNotEmpty().allSatisfy(r -> assertThat(r.getTopic().toString())
                    .isEqualTo(fixture.topics.train()));
            // a consumer holds no source prompts: the version must load from its own delta
            dev.streamtune.loader.LoadedModel served = dev.streamtune.loader.ModelLoader
                    .standard(java.util.Optional.empty(), dev.streamtune.loader.TextEncoderProvider.NONE)
                    .load(trained);
            try {
                assertThat(served.techniqueId()).isEqualTo("attempt");
                assertThat(served.predictText("Win a free cruise now, click here!").probabilities())
                        .hasSize(spam.labels().size());
            } finally {
                if (served instanceof AutoCloseable closeable) {
                    closeable.close();
                }
            }
        } finally {
            attempt.stop();
            assertThat(attempt.awaitStopped(Duration.ofSeconds(60))).isTrue();
            attemptThread.join(10_000);
        }
        assertThat(attempt.failure()).isEmpty();
    }

    private static void awaitWaitingFor(TrainerService service, String source) throws InterruptedException {
        await("ATTEMPT waiting for " + source).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .failFast(() -> assertThat(service.failure()).isEmpty())
                .untilAsserted(() -> assertThat(service.waitingFor()).as("ATTEMPT waiting for %s", source)
                        .hasValueSatisfying(w -> assertThat(w).startsWith(source)));
    }

    @Test
    void loraOnSpamPublishesADeltaThroughTheArtifactStoreThatBeatsTheMajorityClass() throws Exception {
        ServiceFixture fixture = new ServiceFixture(platform, "lora.", 1);
        fixture.createTextTopics(2);
        Corpus spam = SpamAssassin.load(LoadOptions.truncatedTo(1000)).balancedSample(60, 23);
        List<CorpusExample> train = new ArrayList<>();
        List<CorpusExample> heldOut = new ArrayList<>();
        Map<String, Integer> perLabel = new HashMap<>();
        for (CorpusExample example : spam.examples()) {
            (perLabel.merge(example.label(), 1, Integer::sum) <= 40 ? train : heldOut).add(example);
        }
        String task = "spam-lora";
        fixture.declareTask(task, List.of("ham", "spam"), true, "lora",
                Map.of("max_tokens", "48", "rehearsal_steps", "3", "head_lr", "3e-2"));
        List<RecordMetadata> landed = fixture.produceTexts(texts(task, train));
        // a 64 KB inline limit sends LoRA's ~300 KB delta through the artifact store, as unfreeze's always goes
        TrainerService service = new TrainerService(config(fixture, task, 16, 80)
                .withArtifacts(tmp.resolve("artifacts"), 64 * 1024), ServiceFixture.TRAINER_KEY);
        Thread thread = start(service);
        ModelVersion trained;
        try {
            service.awaitStarted(Duration.ofSeconds(60));
            List<ModelVersion> versions = fixture.awaitVersions(task,
                    vs -> vs.stream().anyMatch(v -> v.getExamplesSeen() == 80), Duration.ofSeconds(120));
            trained = versions.get(versions.size() - 1);
        } finally {
            service.stop();
            assertThat(service.awaitStopped(Duration.ofSeconds(60))).isTrue();
            thread.join(10_000);
        }
        assertThat(service.failure()).isEmpty();
        assertThat(trained.getOffsetRanges().stream().mapToLong(r -> r.getUntilOffset() - r.getFromOffset()).sum())
                .isEqualTo(landed.size());

        assertThat(trained.getDelta().getInline()).isNull();
        String uri = trained.getDelta().getUri().toString();
        DirectoryArtifactStore store = new DirectoryArtifactStore(tmp.resolve("artifacts"));
        byte[] bytes = store.fetch(URI.create(uri), 10L << 20);
        assertThat((long) bytes.length).isEqualTo(trained.getDelta().getSizeBytes()).isGreaterThan(64 * 1024);
        Delta delta = new Delta(trained.getDelta().getFormat().toString(), bytes, trained.getDelta().getSha256().toString());
        delta.verifyDigest();

        Backbone backbone = BackboneRegistry.standard().byId(ServiceFixture.BACKBONE);
        List<String> labels = trained.getLabels().stream().map(Object::toString).toList();
        int correct = 0;
        int majority = 0;
        try (NDManager manager = NDManager.newBaseManager();
                BackboneTokenizer tokenizer = BackboneTokenizer.load(backbone, 48)) {
            MiniLmEncoder encoder = MiniLmEncoder.load(backbone, MiniLmEncoder.MINILM_HEADS, manager);
            TechniqueContext context = new TechniqueContext(TechniqueSettings.fromSettings("lora", 384,
                    hyperparameters(trained)), labels.size(), manager, Map.of(MiniLmEncoder.class, encoder));
            try (TrainableModel model = Techniques.byId("lora").loadDelta(context, delta);
                    NDManager step = manager.newSubManager()) {
                BatchInput.TokenIds input = BatchInput.TokenIds.of(
                        tokenizer.encodeAll(heldOut.stream().map(CorpusExample::text).toList()));
                long[] predicted = HostReadback.longs(model.logits(input, step).argMax(1));
                Map<String, Integer> counts = new HashMap<>();
                for (int i = 0; i < heldOut.size(); i++) {
                    String truth = heldOut.get(i).label();
                    counts.merge(truth, 1, Integer::sum);
                    correct += labels.get((int) predicted[i]).equals(truth) ? 1 : 0;
                }
                majority = counts.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
            }
        }
        System.out.printf("LoRA on %d spam emails: version %d, %d/%d held-out correct (majority class %d), %.1f"
                + " examples/s in the service, delta %d bytes by uri%n", train.size(), trained.getVersion(), correct,
                heldOut.size(), majority, trained.getTrainMetrics().get("examples_per_s"), bytes.length);
        assertThat(correct).as("held-out emails right, against always predicting the majority class")
                .isGreaterThan(majority);
    }

    @Test
    void unfreezeDeltaOverTheInlineLimitTravelsByUriAndLoads() throws Exception {
        ServiceFixture fixture = new ServiceFixture(platform, "unfreeze.", 1);
        fixture.createTextTopics(1);
        String task = "spam-unfreeze";
        Corpus spam = SpamAssassin.load(LoadOptions.truncatedTo(500)).balancedSample(8, 29);
        fixture.declareTask(task, List.of("ham", "spam"), true, "unfreeze", Map.of("max_tokens", "32"));
        fixture.produceTexts(texts(task, spam.examples()));
        TrainerService service = new TrainerService(config(fixture, task, 8, 16), ServiceFixture.TRAINER_KEY);
        Thread thread = start(service);
        ModelVersion trained;
        try {
            service.awaitStarted(Duration.ofSeconds(60));
            trained = fixture.awaitVersions(task, vs -> vs.stream().anyMatch(v -> v.getExamplesSeen() == 16),
                    Duration.ofSeconds(90)).get(0);
        } finally {
            service.stop();
            assertThat(service.awaitStopped(Duration.ofSeconds(60))).isTrue();
            thread.join(10_000);
        }
        assertThat(service.failure()).isEmpty();
        // top-2 layers and the head: about 3.6 M floats, far over the 900 KB inline limit and Kafka's 1 MB messages
        assertThat(trained.getDelta().getInline()).isNull();
        assertThat(trained.getDelta().getSizeBytes()).isGreaterThan(10L << 20);
        assertThat(trained.getDelta().getUri().toString()).startsWith("file:")
                .endsWith(trained.getDelta().getSha256() + ".delta");
        byte[] bytes = new DirectoryArtifactStore(tmp.resolve("artifacts"))
                .fetch(URI.create(trained.getDelta().getUri().toString()), 64L << 20);
        Delta delta = new Delta(trained.getDelta().getFormat().toString(), bytes, trained.getDelta().getSha256().toString());
        Backbone backbone = BackboneRegistry.standard().byId(ServiceFixture.BACKBONE);
        try (NDManager manager = NDManager.newBaseManager()) {
            MiniLmEncoder encoder = MiniLmEncoder.load(backbone, MiniLmEncoder.MINILM_HEADS, manager);
            TechniqueContext context = new TechniqueContext(TechniqueSettings.fromSettings("unfreeze", 384,
                    hyperparameters(trained)), 2, manager, Map.of(MiniLmEncoder.class, encoder));
            try (TrainableModel model = Techniques.byId("unfreeze").loadDelta(context, delta)) {
                assertThat(model.trainableParameterCount()).isEqualTo(trained.getTrainableParams());
            }
        }
        System.out.printf("unfreeze: delta %,d bytes by uri %s%n", bytes.length, trained.getDelta().getUri());
    }

    @Test
    void textPathRestartsFromItsCheckpointAndCoversEveryTrainOffsetOnce() throws Exception {
        ServiceFixture fixture = new ServiceFixture(platform, "crash.", 1);
        fixture.createTextTopics(2);
        String task = "crashy-text";
        Corpus senses = firstLabels(WordNetSenses.load(LoadOptions.truncatedTo(300)), 2, 32);
        fixture.declareTask(task, List.copyOf(senses.labels()), false, "prompt",
                Map.of("max_tokens", "24", "prompt_length", "4"));
        List<LabelledExample> records = new ArrayList<>(texts(task, senses.examples()));
        records.addAll(texts("someone-else", senses.examples().subList(0, 10)));
        List<RecordMetadata> landed = fixture.produceTexts(records);
        long trainCount = senses.size();

        TrainerService first = ServiceFixture.crashingAfterCheckpointOf(config(fixture, task, 8, 16), 2);
        Thread firstThread = start(first);
        firstThread.join(120_000);
        assertThat(first.failure()).get().isInstanceOf(ServiceFixture.SimulatedCrash.class);
        assertThat(fixture.versions(task)).extracting(ModelVersion::getVersion).containsExactly(1L);

        TrainerService second = new TrainerService(config(fixture, task, 8, 16), ServiceFixture.TRAINER_KEY);
        Thread secondThread = start(second);
        List<ModelVersion> versions;
        try {
            StartupReport report = second.awaitStarted(Duration.ofSeconds(60));
            assertThat(report.checkpointVersion()).isEqualTo(2);
            assertThat(report.republishedVersion()).hasValue(2);
            versions = fixture.awaitVersions(task, vs -> vs.stream().anyMatch(v -> v.getExamplesSeen() == trainCount),
                    Duration.ofSeconds(90));
        } finally {
            second.stop();
            assertThat(second.awaitStopped(Duration.ofSeconds(60))).isTrue();
            secondThread.join(10_000);
        }
        assertThat(second.failure()).isEmpty();
        versions = fixture.versions(task);
        Set<Long> numbers = new HashSet<>();
        for (int i = 0; i < versions.size(); i++) {
            ModelVersion version = versions.get(i);
            assertThat(numbers.add(version.getVersion())).as("version %d published twice", version.getVersion()).isTrue();
            assertThat(version.getVersion()).isEqualTo(i + 1L);
            assertThat(version.getParentVersion()).isEqualTo(i == 0 ? null : (long) i);
            assertThat(version.getTechnique().toString()).isEqualTo("prompt");
        }
        assertThat(versions.size()).isGreaterThanOrEqualTo(4);
        for (int i = 0; i < records.size(); i++) {
            if (!records.get(i).getTask().toString().equals(task)) {
                continue;
            }
            RecordMetadata at = landed.get(i);
            long hits = versions.stream().flatMap(v -> v.getOffsetRanges().stream())
                    .filter(r -> contains(r, fixture.topics.train(), at.partition(), at.offset())).count();
            assertThat(hits).as("versions covering train example %s at %d@%d", records.get(i).getId(), at.partition(),
                    at.offset()).isEqualTo(1);
        }
        ModelVersion last = versions.get(versions.size() - 1);
        assertThat(last.getExamplesSeen()).as("nothing trained twice").isEqualTo(trainCount);
        for (int i = 0; i < records.size(); i++) {
            RecordMetadata at = landed.get(i);
            if (records.get(i).getTask().toString().equals(task)) {
                assertThat(last.getCumulativeOffsetRanges()).as("cumulative ranges of the last version hold %d@%d",
                        at.partition(), at.offset()).anyMatch(r -> contains(r, fixture.topics.train(), at.partition(),
                        at.offset()));
            }
        }
    }

    private static boolean contains(OffsetRange range, String topic, int partition, long offset) {
        return range.getTopic().toString().equals(topic) && range.getPartition() == partition
                && range.getFromOffset() <= offset && offset < range.getUntilOffset();
    }
}
