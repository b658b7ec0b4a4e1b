package dev.streamtune.evaluator.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Split;
import dev.streamtune.datasets.CorpusExample;
import dev.streamtune.evaluator.GateConfig;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.peft.AttemptTechnique;
import dev.streamtune.model.peft.LoraTechnique;
import dev.streamtune.model.peft.SourcePrompts;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.schemas.MetricNames;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.RestSchemaRegistryClient;
import dev.streamtune.loader.DirectoryArtifactStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * A LoRA candidate judged from text on the real broker and registry: it is trained for a few steps with the model
 * module's API on 60 SpamAssassin emails (32 tokens), published to the candidates topic with an inline delta, and
 * the evaluator scores it on validation emails read from {@code examples.validation} (no features topic exists at
 * all), promotes it, scores it as champion on {@code examples.test}, refuses a challenger trained on shuffled labels,
 * loads a third version's delta by URI from the artifact directory and a fourth, ATTEMPT, version from its
 * self-contained delta, and counts the champion's predictions of new
 * {@code examples.train} emails as prequential accuracy.
 */
class TextCandidateEvaluatorIT {
    private static final Topics TOPICS = Topics.withPrefix("text.");
    private static final String TASK = "spam";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static StreamtunePlatform platform;
    private static KafkaProducer<String, byte[]> producer;
    private static AvroSerializer<SpecificRecord> serializer;
    private static TopicRecords records;

    @BeforeAll
    static void start() throws Exception {
        platform = StreamtunePlatform.start(PlatformConfig.ephemeral());
        try (Admin admin = Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPICS.train(), 1, (short) 1),
                    new NewTopic(TOPICS.validation(), 2, (short) 1), new NewTopic(TOPICS.test(), 1, (short) 1),
                    new NewTopic(TOPICS.candidates(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        records = new TopicRecords(platform, new RestSchemaRegistryClient(platform.registryUrl()), WAIT);
        serializer = new AvroSerializer<>(records.registry(), platform.serdeConfig(), false);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(),
                new ByteArraySerializer());
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

    @Test
    void scoresPromotesAndTestsALoraCandidateFromTextAndRefusesAShuffledLabelChallenger(@TempDir Path artifactDir)
            throws Exception {
        TextCandidates.Splits emails = TextCandidates.spamEmails(60, 40, 30, 20, 2026);
        TechniqueSpec spec = TextCandidates.spec(LoraTechnique.ID, Map.of("lora_rank", "4"));
        ModelVersion good;
        ModelVersion shuffled;
        ModelVersion byUri;
        ModelVersion attempt;
        long trainStart = System.nanoTime();
        try (TextCandidates candidates = new TextCandidates()) {
            int[] labels = TextCandidates.labelIndexes(emails.train());
            Delta trained = candidates.train(spec, emails.train(), labels, 20, 12, 2e-2f, 7);
            int[] shuffledLabels = shuffle(labels, 11);
            Delta noise = candidates.train(spec, emails.train(), shuffledLabels, 6, 12, 2e-2f, 8);
            good = candidates.version(TASK, 1, spec, trained, 240);
            shuffled = candidates.version(TASK, 2, spec, noise, 240);
            // the same tensors again, sent the way the trainer sends deltas too large to travel inline
            URI uri = new DirectoryArtifactStore(artifactDir).put(trained.bytes(), trained.sha256());
            byUri = candidates.version(TASK, 3, spec, trained, 240);
            byUri.getDelta().setInline(null);
            byUri.getDelta().setUri(uri.toString());
            // ATTEMPT: its delta carries the two source prompts, so the evaluator needs no other task's version
            SourcePrompts sources = TextCandidates.sourcePrompts(4);
            TechniqueSpec attemptSpec = TextCandidates.spec(AttemptTechnique.ID, Map.of("prompt_length", "4",
                    "attention_rank", "8",
                    AttemptTechnique.SOURCE_VERSIONS, AttemptTechnique.sourceProvenance(sources)));
            attempt = candidates.version(TASK, 4, attemptSpec,
                    candidates.train(attemptSpec, emails.train(), labels, 4, 12, 3e-2f, 9, sources), 240);
        }
        System.out.printf("trained two LoRA and one ATTEMPT candidate (20, 6, 4 steps of 12 emails) in %.1f s%n",
                (System.nanoTime() - trainStart) / 1e9);

        sendExamples(TOPICS.validation(), Split.VALIDATION, emails.validation());
        sendExamples(TOPICS.test(), Split.TEST, emails.test());
        send(TOPICS.candidates(), TASK, good);
        send(TOPICS.candidates(), TASK, shuffled);
        send(TOPICS.candidates(), TASK, byUri);
        send(TOPICS.candidates(), TASK, attempt);
        producer.flush();

        EvaluatorConfig config = EvaluatorConfig.defaults(platform.bootstrapServers(), platform.registryUrl())
                .withTopics(TOPICS).withApplicationId("evaluator-text")
                // 40 balanced emails: LoRA v1 (macro-F1 0.72, 28 of 40 right) beats the majority predictor with an exact
                // McNemar p of 0.054; this test is about scoring text candidates, so its gate takes alpha 0.1 (the
                // default's significance rule is PromotionGateTest's subject)
                .withGate(new GateConfig(0.005, 0.10, 40))
                .withPrequential(100, Duration.ofMillis(300)).withArtifactDirectory(artifactDir);
        long judgeStart = System.nanoTime();
        try (EvaluatorService evaluator = EvaluatorService.start(config, Synthetic.TRUST)) {
            assertThat(evaluator.awaitReady(WAIT)).isTrue();
            records.awaitTrue(() -> evaluations(Split.VALIDATION).size() >= 4,
                    "validation evaluations of four candidates");
            System.out.printf("judged four candidates from text in %.1f s%n", (System.nanoTime() - judgeStart) / 1e9);
            assertThat(evaluator.championVersion(TASK)).hasValue(1);

            Map<Long, MetricsEvent> validation = evaluations(Split.VALIDATION);
            MetricsEvent first = validation.get(1L);
            MetricsEvent second = validation.get(2L);
            System.out.println("validation v1 " + first.getValues() + "; v2 " + second.getValues());
            assertThat(first.getValues().get("n")).isEqualTo(40.0);
            assertThat(first.getValues().get("macro_f1")).isGreaterThanOrEqualTo(0.7);
            // the challenger is paired with the champion on the same 40 emails
            assertThat(second.getValues().get("n")).isEqualTo(40.0);
            assertThat(second.getValues().get("macro_f1")).isLessThan(first.getValues().get("macro_f1"));
            // fetched from the artifact directory by its file: URI, it predicts exactly what version 1 does
            assertThat(validation.get(3L).getValues()).containsEntry("macro_f1", first.getValues().get("macro_f1"))
                    .containsEntry("n", 40.0);
            // the ATTEMPT version loaded from its self-contained delta and was paired on the same 40 emails
            assertThat(validation.get(4L).getValues()).containsEntry("n", 40.0);

            List<ModelUpdate> updates = records.readAll(TOPICS.updates(), ModelUpdate.class);
            assertThat(updates).extracting(ModelUpdate::getVersion).containsExactly(1L);
            assertThat(updates.get(0).getModel().getTechnique()).isEqualTo(LoraTechnique.ID);
            assertThat(updates.get(0).getReason()).startsWith("promote: first version");
            assertThat(updates.get(0).getTestMetrics().get("n")).isEqualTo(30.0);
            Map<Long, MetricsEvent> test = evaluations(Split.TEST);
            assertThat(test).containsOnlyKeys(1L);
            System.out.println("test v1 " + test.get(1L).getValues());
            assertThat(test.get(1L).getValues().get("macro_f1")).isGreaterThan(0.6);

            // prequential: new train emails are predicted from their text by champion 1
            sendExamples(TOPICS.train(), Split.TRAIN, emails.fresh());
            records.awaitTrue(() -> records.prequential(TOPICS.metrics()).stream()
                    .anyMatch(e -> e.getValues().get("n") == 20.0), "prequential n=20");
            MetricsEvent pre = records.prequential(TOPICS.metrics()).stream()
                    .filter(e -> e.getValues().get("n") == 20.0).findFirst().orElseThrow();
            assertThat(pre.getVersion()).isEqualTo(1L);
            assertThat(pre.getValues().get(MetricNames.PREQUENTIAL_ACCURACY)).isGreaterThan(0.6);
            assertThat(evaluator.failure()).isEmpty();
        }
    }

    private static int[] shuffle(int[] labels, long seed) {
        List<Integer> list = new ArrayList<>();
        for (int label : labels) {
            list.add(label);
        }
        java.util.Collections.shuffle(list, new java.util.Random(seed));
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void sendExamples(String topic, Split split, List<CorpusExample> examples) {
        for (CorpusExample e : examples) {
            send(topic, e.id(), LabelledExample.newBuilder().setId(e.id()).setTask(TASK).setText(e.text())
                    .setLabel(e.label()).setSplit(split).setSource("spamassassin").build());
        }
        producer.flush();
    }

    private static void send(String topic, String key, SpecificRecord value) {
        // candidates come from a trainer the evaluator trusts
        SpecificRecord signed = value instanceof ModelVersion v ? Synthetic.TRAINER.sign(v) : value;
        producer.send(new ProducerRecord<>(topic, key, serializer.serialize(topic, signed)));
    }

    private static Map<Long, MetricsEvent> evaluations(Split split) {
        return records.evaluations(TOPICS.metrics(), split);
    }
}
