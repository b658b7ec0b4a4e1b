package dev.streamtune.evaluator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.evaluator.GateConfig;
import dev.streamtune.model.EmbedderConfig;
import dev.streamtune.model.SentenceEmbedder;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.RestSchemaRegistryClient;
import dev.streamtune.loader.LoadedModel;
import dev.streamtune.loader.ModelLoader;
import dev.streamtune.subscriber.ModelSubscriber;
import dev.streamtune.subscriber.ModelSwap;
import dev.streamtune.loader.Prediction;
import dev.streamtune.subscriber.SubscriberConfig;
import dev.streamtune.loader.TextEncoderProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The evaluator service on the real broker and registry, with a subscriber following its updates. Features are
 * synthetic 384-dim vectors with a known Bayes accuracy (see {@link Synthetic}); candidates are linear heads on the
 * real MiniLM base (its real weights digest), so the loader's checks are the production ones.
 */
class EvaluatorServiceIT {
    private static final Topics TOPICS = Topics.defaults();
    private static final String BACKBONE = MiniLmL6V2Provider.ID;
    private static final String FEATURES = TOPICS.features(BACKBONE);
    private static final int MIN_VALIDATION = 200;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static StreamtunePlatform platform;
    private static String baseSha256;
    private static KafkaProducer<String, byte[]> producer;
    private static AvroSerializer<SpecificRecord> serializer;
    private static RestSchemaRegistryClient registry;
    private static TopicRecords records;

    @BeforeAll
    static void start() throws Exception {
        platform = StreamtunePlatform.start(PlatformConfig.ephemeral());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(FEATURES, 3, (short) 1), new NewTopic(TOPICS.candidates(), 1, (short) 1),
                    new NewTopic(TOPICS.dlq(), 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        registry = new RestSchemaRegistryClient(platform.registryUrl());
        records = new TopicRecords(platform, registry, WAIT);
        serializer = new AvroSerializer<>(registry, platform.serdeConfig(), false);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(),
                new ByteArraySerializer());
        baseSha256 = BackboneRegistry.standard().byId(BACKBONE).weightsSha256();
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    private static EvaluatorConfig config() {
        return EvaluatorConfig.defaults(platform.bootstrapServers(), platform.registryUrl())
                .withGate(new GateConfig(0.005, 0.05, MIN_VALIDATION))
                .withPrequential(100, Duration.ofMillis(300)).withApplicationId("evaluator-it");
    }

    private static void send(String topic, String key, SpecificRecord value) {
        producer.send(new ProducerRecord<>(topic, key, serializer.serialize(topic, value)));
    }

    private static void sendFeatures(Synthetic data, String prefix, Split split, int count) {
        for (int i = 0; i < count; i++) {
            int y = i % 2;
            send(FEATURES, prefix + i, Synthetic.feature("spam", prefix + i, Synthetic.LABELS.get(y), split, BACKBONE,
                    data.sample(y)));
        }
        producer.flush();
    }

    private static ModelVersion candidate(long number, dev.streamtune.model.delta.Delta delta) {
        ModelVersion version = Synthetic.TRAINER.sign(Synthetic.version("spam", number, BACKBONE, baseSha256, delta));
        send(TOPICS.candidates(), "spam", version);
        producer.flush();
        return version;
    }

    @Test
    void judgesCandidatesPromotesOnlyBetterOnesAndSurvivesRollbackAndRestart() throws Exception {
        Synthetic data = new Synthetic(384, 2026);
        List<ModelSwap> swaps = new CopyOnWriteArrayList<>();
        SubscriberConfig subscriberConfig = SubscriberConfig.of(platform.bootstrapServers(), platform.registryUrl(),
                Synthetic.EVALUATOR.asTrusted())
                .withTask("spam");
        ModelLoader featuresOnly = ModelLoader.standard(Optional.empty(), TextEncoderProvider.NONE);

        EvaluatorService evaluator = EvaluatorService.start(config(), Synthetic.TRUST);
        try (ModelSubscriber subscriber = ModelSubscriber.start(subscriberConfig, featuresOnly).onUpdate(swaps::add)) {
            assertThat(evaluator.awaitReady(WAIT)).isTrue();

            // v1 arrives before any validation vector: it waits, and is judged once 200 exist
            candidate(1, data.headAtCosine(0.45));
            sendFeatures(data, "t", Split.TEST, 150);
            sendFeatures(data, "v", Split.VALIDATION, MIN_VALIDATION - 20);
            Thread.sleep(1000);
            assertThat(evaluator.championVersion("spam")).as("still waiting for validation data").isEmpty();
            sendFeatures(data, "w", Split.VALIDATION, 220);
            assertThat(subscriber.awaitVersion("spam", 1, WAIT)).isTrue();

            // a challenger trained on shuffled labels, then a good one
            List<float[]> xs = new ArrayList<>();
            List<Integer> ys = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                xs.add(data.sample(i % 2));
                ys.add(i % 2);
            }
            candidate(2, data.shuffledLabelHead(xs, ys, 3));
            candidate(3, data.headAtCosine(1.0));
            assertThat(subscriber.awaitVersion("spam", 3, WAIT)).isTrue();

            // candidates a trusted trainer did not sign are never scored: an unsigned perfect head, and one signed
            // by a stranger's key; both go to the dead-letter topic with their reason
            ModelVersion perfect = Synthetic.version("spam", 10, BACKBONE, baseSha256, data.headAtCosine(1.0));
            send(TOPICS.candidates(), "spam", perfect);
            send(TOPICS.candidates(), "spam", dev.streamtune.schemas.signing.SigningKey.generate()
                    .sign(Synthetic.version("spam", 11, BACKBONE, baseSha256, data.headAtCosine(1.0))));
            producer.flush();
            awaitTrue(() -> evaluator.refusedCandidates().values().stream().mapToLong(Long::longValue).sum() == 2,
                    "two refused candidates");
            assertThat(evaluator.refusedCandidates()).containsOnlyKeys("CANDIDATE_UNSIGNED", "CANDIDATE_UNKNOWN_KEY");
            awaitTrue(() -> records.deadLetterReasons(TOPICS.dlq()).size() == 2, "two dead letters");
            assertThat(records.deadLetterReasons(TOPICS.dlq())).containsExactly("CANDIDATE_UNSIGNED",
                    "CANDIDATE_UNKNOWN_KEY");
            LoadedModel served = subscriber.currentModel("spam").orElseThrow();
            assertThat(served.predictFeatures(data.sample(1)).label()).isEqualTo("spam");

            List<ModelUpdate> updates = readAll(TOPICS.updates(), ModelUpdate.class);
            assertThat(updates).extracting(ModelUpdate::getVersion).containsExactly(1L, 3L);
            updates.forEach(u -> Synthetic.EVALUATOR.asTrusted().verify(u));
            assertThat(updates).extracting(ModelUpdate::getAction).containsOnly(UpdateAction.PROMOTE);
            assertThat(updates.get(0).getReason()).startsWith("promote: first version");
            assertThat(updates.get(1).getReason()).startsWith("promote: macro-F1").contains("McNemar");
            assertThat(updates.get(1).getPreviousVersion()).isEqualTo(1L);
            assertThat(updates.get(1).getTestMetrics().get("n")).isEqualTo(150.0);

            // validation scores for every candidate, test scores for champions only
            awaitTrue(() -> evaluations(Split.VALIDATION).size() >= 3, "three validation evaluations");
            Map<Long, MetricsEvent> validation = evaluations(Split.VALIDATION);
            assertThat(validation).containsOnlyKeys(1L, 2L, 3L);
            // judged once, the moment the 200th validation vector arrived; later ones on every validation
            // vector read by then (the features and candidates topics are read concurrently, so 200..400)
            assertThat(validation.get(1L).getValues().get("n")).isEqualTo(200.0);
            assertThat(validation.get(2L).getValues().get("n")).isBetween(200.0, 400.0);
            // a head fit to shuffled labels (300 examples, 384 dims) keeps only a chance share of the class direction
            assertThat(validation.get(2L).getValues().get("accuracy")).isBetween(0.3, 0.7);
            assertThat(validation.get(3L).getValues().get("accuracy")).isGreaterThan(0.93);
            assertThat(evaluations(Split.TEST)).containsOnlyKeys(1L, 3L);

            // prequential: new train vectors are predicted by champion 3 first
            sendFeatures(data, "train", Split.TRAIN, 100);
            awaitTrue(() -> prequential().stream().anyMatch(e -> e.getValues().get("n") == 100.0), "prequential n=100");
            MetricsEvent pre = prequential().stream().filter(e -> e.getValues().get("n") == 100.0).findFirst().orElseThrow();
            assertThat(pre.getVersion()).isEqualTo(3L);
            assertThat(pre.getSplit()).isEqualTo(Split.TRAIN);
            assertThat(pre.getValues().get(dev.streamtune.schemas.MetricNames.PREQUENTIAL_ACCURACY)).isGreaterThan(0.9);

            // rollback to version 1 reaches the subscriber and the evaluator
            ModelUpdate rollback = new Rollback(Rollback.Config.of(platform.bootstrapServers(), platform.registryUrl()),
                    Synthetic.EVALUATOR)
                    .rollback("spam", 1, "v3 misbehaves in production");
            assertThat(rollback.getReason()).startsWith("rollback: v3 misbehaves").contains("from version 3 to 1");
            assertThat(subscriber.awaitVersion("spam", 1, WAIT)).isTrue();
            assertThat(swaps.get(swaps.size() - 1).action()).isEqualTo(UpdateAction.ROLLBACK);
            awaitTrue(() -> evaluator.championVersion("spam").orElse(0) == 1, "evaluator champion 1 after rollback");
        } finally {
            evaluator.close();
        }
        assertThat(evaluator.failure()).isEmpty();

        // a restart rebuilds the champion from models.updates and does not judge old candidates again
        EvaluatorService restarted = EvaluatorService.start(config(), Synthetic.TRUST);
        try (ModelSubscriber subscriber = ModelSubscriber.start(subscriberConfig, featuresOnly)) {
            assertThat(restarted.awaitReady(WAIT)).isTrue();
            assertThat(restarted.championVersion("spam")).hasValue(1);
            candidate(4, data.headAtCosine(1.0));
            assertThat(subscriber.awaitVersion("spam", 4, WAIT)).isTrue();
            ModelUpdate v4 = readAll(TOPICS.updates(), ModelUpdate.class).stream()
                    .filter(u -> u.getVersion() == 4).findFirst().orElseThrow();
            assertThat(v4.getPreviousVersion()).as("judged against the rolled-back champion").isEqualTo(1L);
            assertThat(countEvaluations(Split.VALIDATION, 2L)).as("v2 judged once across the restart").isEqualTo(1);

            Rollback rollback = new Rollback(Rollback.Config.of(platform.bootstrapServers(), platform.registryUrl()),
                    Synthetic.EVALUATOR);
            assertThatThrownBy(() -> rollback.rollback("spam", 4, "no-op")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("already serves version 4");
            assertThatThrownBy(() -> rollback.rollback("spam", 99, "typo")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no version 99").hasMessageContaining(TOPICS.candidates());
            // version 2 was never promoted: rollback finds it among the candidates (an operator's explicit choice)
            ModelUpdate toTwo = rollback.rollback("spam", 2, "compare in production");
            assertThat(toTwo.getValidationMetrics()).as("never promoted, so no promotion metrics").isEmpty();
            assertThat(subscriber.awaitVersion("spam", 2, WAIT)).isTrue();
        } finally {
            restarted.close();
        }
        assertThat(restarted.failure()).isEmpty();
    }

    /**
     * End to end with real sentences: MiniLM embeds them (as the featurizer would), a head trained in plain Java on
     * the train sentences is the candidate, the evaluator promotes it on the validation sentences, and a subscriber
     * with its own MiniLM predicts unseen text with it. Own topic prefix, so the other test's topics stay untouched.
     */
    @Test
    void aCandidatePromotedOnRealSentenceEmbeddingsServesTextPredictionsInASubscriber() throws Exception {
        Topics topics = Topics.withPrefix("e2e.");
        String features = topics.features(BACKBONE);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(features, 1, (short) 1), new NewTopic(topics.candidates(), 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        EmbedderConfig embedderConfig = EmbedderConfig.defaults(BACKBONE).withIntraOpThreads(2);
        float[][] train;
        try (SentenceEmbedder embedder = SentenceEmbedder.open(embedderConfig)) {
            List<String> trainTexts = new ArrayList<>(Sentences.TRAIN_HAM);
            trainTexts.addAll(Sentences.TRAIN_SPAM);
            train = embedder.embed(trainTexts);
            sendSentences(embedder, features, "val", Split.VALIDATION, Sentences.VALIDATION_HAM, Sentences.VALIDATION_SPAM);
            sendSentences(embedder, features, "test", Split.TEST, Sentences.TEST_HAM, Sentences.TEST_SPAM);
        }
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < train.length; i++) {
            labels.add(i < Sentences.TRAIN_HAM.size() ? 0 : 1);
        }
        ModelVersion candidate = Synthetic.TRAINER.sign(Synthetic.version("email", 1, BACKBONE, baseSha256,
                Synthetic.logisticHead(List.of(train), labels)));
        send(topics.candidates(), "email", candidate);
        producer.flush();

        EvaluatorConfig config = config().withTopics(topics).withApplicationId("evaluator-e2e")
                .withGate(new GateConfig(0.005, 0.05, 16));
        SubscriberConfig subscriberConfig = SubscriberConfig.of(platform.bootstrapServers(), platform.registryUrl(),
                Synthetic.EVALUATOR.asTrusted())
                .withUpdatesTopic(topics.updates()).withTask("email").withEmbedder(embedderConfig);
        try (EvaluatorService evaluator = EvaluatorService.start(config, Synthetic.TRUST);
                ModelSubscriber subscriber = ModelSubscriber.start(subscriberConfig)) {
            assertThat(subscriber.awaitVersion("email", 1, WAIT)).isTrue();
            Prediction spam = subscriber.predict("You are today's lucky winner, claim your free cash prize now!");
            Prediction ham = subscriber.predict("Could we go over the budget spreadsheet after lunch?");
            assertThat(spam.label()).isEqualTo("spam");
            assertThat(ham.label()).isEqualTo("ham");
            assertThat(spam.version()).isEqualTo(1);
            assertThat(spam.probability("spam")).isGreaterThan(0.5);

            ModelUpdate update = readAll(topics.updates(), ModelUpdate.class).get(0);
            // none of these sentences was trained on. Measured (fixed weights, deterministic ONNX Runtime on CPU):
            // validation 16 of 16 right (macro-F1 1.0), test 7 of 8 (macro-F1 0.873). Each bound allows one more
            // mistake than measured, since an ONNX Runtime or tokenizer upgrade may flip one borderline sentence;
            // chance level is 0.5. The gate pairs v1 with the majority baseline (8 ham, 8 spam: it answers "ham",
            // right on 8): 16 of 16 right gives McNemar p = 1/256, one mistake at most 10/512, both below alpha 0.05
            assertThat(update.getValidationMetrics().get("macro_f1")).isGreaterThanOrEqualTo(0.93);
            assertThat(update.getTestMetrics().get("n")).isEqualTo(8.0);
            assertThat(update.getTestMetrics().get("macro_f1")).isGreaterThanOrEqualTo(0.73);
            assertThat(evaluator.failure()).isEmpty();
        }
    }

    private static void sendSentences(SentenceEmbedder embedder, String topic, String prefix, Split split,
            List<String> ham, List<String> spam) {
        List<String> texts = new ArrayList<>(ham);
        texts.addAll(spam);
        float[][] vectors = embedder.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            String label = i < ham.size() ? "ham" : "spam";
            send(topic, prefix + i, Synthetic.feature("email", prefix + i, label, split, BACKBONE, vectors[i]));
        }
        producer.flush();
    }

    private static Map<Long, MetricsEvent> evaluations(Split split) {
        return records.evaluations(TOPICS.metrics(), split);
    }

    private static long countEvaluations(Split split, long version) {
        return readAll(TOPICS.metrics(), MetricsEvent.class).stream()
                .filter(e -> e.getKind() == MetricKind.EVALUATION && e.getSplit() == split && e.getVersion() == version)
                .count();
    }

    private static List<MetricsEvent> prequential() {
        return records.prequential(TOPICS.metrics());
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        records.awaitTrue(condition, what);
    }

    private static <T> List<T> readAll(String topic, Class<T> type) {
        return records.readAll(topic, type);
    }
}
