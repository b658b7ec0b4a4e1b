package dev.streamtune.subscriber;

import dev.streamtune.loader.DirectoryArtifactStore;
import dev.streamtune.loader.ModelRejectedException;
import dev.streamtune.loader.Prediction;
import dev.streamtune.loader.RejectionReason;
import dev.streamtune.loader.TestModels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.model.EmbedderConfig;
import dev.streamtune.model.SentenceEmbedder;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.head.HeadNetwork;
import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.RestSchemaRegistryClient;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subscriber on the real broker and registry, with real MiniLM embeddings: it takes a promoted model and predicts
 * held-out sentences, refuses forged updates (unsigned, signed by an untrusted key, the evaluator's record with other
 * weights) and a tampered delta and an unknown backbone while the previous model keeps serving,
 * fetches a delta by URI from the artifact directory, and a late starter gets the current champion at once.
 */
class SubscriberIT {
    private static final String TOPIC = Topics.defaults().updates();
    private static final List<String> SPAM = List.of(
            "WIN a FREE iPhone now, click here to claim your prize",
            "Congratulations, you have been selected for a cash reward",
            "Cheap meds online, no prescription needed, order today",
            "Earn $5000 a week working from home, limited offer",
            "You won the lottery! Send your bank details to collect",
            "Hot singles in your area are waiting to chat with you",
            "Limited time deal: 90% off luxury watches, buy now",
            "Your account is suspended, verify your password at this link",
            "Get rich quick with this one weird crypto trick",
            "Claim your free vacation voucher before it expires tonight",
            "Lose 20 pounds in two weeks with this miracle pill",
            "Act now! Exclusive investment opportunity, guaranteed returns");
    private static final List<String> HAM = List.of(
            "Can we move our meeting to three o'clock tomorrow?",
            "Here are the notes from today's project review",
            "Thanks for dinner last night, it was lovely to see you",
            "The quarterly report draft is attached for your comments",
            "Please remember to pick up milk on your way home",
            "I pushed the fix for the login bug, can you review it?",
            "Are you coming to the team lunch on Friday?",
            "The build is green again after the dependency update",
            "Mum says happy birthday and will call you this evening",
            "Let's schedule a call to discuss the hiring plan",
            "The library book you reserved is ready for pickup",
            "Could you send me the slides from the conference talk?");

    private static StreamtunePlatform platform;
    private static SentenceEmbedder embedder;
    private static AvroSerializer<ModelUpdate> serializer;
    private static String baseSha256;
    private static Delta trainedHead;
    private static Delta invertedHead;

    @BeforeAll
    static void start() throws Exception {
        platform = StreamtunePlatform.start(PlatformConfig.ephemeral());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        serializer = new AvroSerializer<>(new RestSchemaRegistryClient(platform.registryUrl()), platform.serdeConfig(),
                false);
        embedder = SentenceEmbedder.open(EmbedderConfig.defaults(MiniLmL6V2Provider.ID).withIntraOpThreads(2));
        baseSha256 = BackboneRegistry.standard().byId(MiniLmL6V2Provider.ID).weightsSha256();
        trainedHead = trainLogisticHead();
    }

    @AfterAll
    static void stop() {
        if (embedder != null) {
            embedder.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    /** Plain-Java logistic regression on the MiniLM embeddings of the sentences above, as a 2-class linear head. */
    private static Delta trainLogisticHead() {
        List<String> texts = new ArrayList<>(HAM);
        texts.addAll(SPAM);
        float[][] x = embedder.embed(texts);
        int dim = x[0].length;
        double[] w = new double[dim];
        double b = 0;
        for (int epoch = 0; epoch < 300; epoch++) {
            double[] gw = new double[dim];
            double gb = 0;
            for (int n = 0; n < x.length; n++) {
                double z = b;
                for (int i = 0; i < dim; i++) {
                    z += w[i] * x[n][i];
                }
                double err = 1 / (1 + Math.exp(-z)) - (n >= HAM.size() ? 1 : 0);
                for (int i = 0; i < dim; i++) {
                    gw[i] += err * x[n][i];
                }
                gb += err;
            }
            for (int i = 0; i < dim; i++) {
                w[i] -= 4.0 * gw[i] / x.length;
            }
            b -= 4.0 * gb / x.length;
        }
        // what a forger would serve: the same head with its weights turned around, so spam reads as ham
        double[] negated = new double[dim];
        for (int i = 0; i < dim; i++) {
            negated[i] = -w[i];
        }
        invertedHead = head(negated, -b);
        return head(w, b);
    }

    private static Delta head(double[] w, double b) {
        int dim = w.length;
        float[] weight = new float[2 * dim];
        for (int i = 0; i < dim; i++) {
            weight[i] = (float) (-w[i] / 2);
            weight[dim + i] = (float) (w[i] / 2);
        }
        return DeltaCodec.encode(List.of(new NamedTensor(HeadNetwork.OUTPUT_WEIGHT, new long[] {2, dim}, weight),
                new NamedTensor(HeadNetwork.OUTPUT_BIAS, new long[] {2}, new float[] {(float) (-b / 2), (float) (b / 2)})));
    }

    private static ModelVersion version(String task, long number, Delta delta) {
        return ModelVersion.newBuilder().setTask(task).setVersion(number).setTechnique("head")
                .setHyperparameters(Map.of("head", "linear")).setBase(new BaseModel(MiniLmL6V2Provider.ID, baseSha256))
                .setLabels(List.of("ham", "spam"))
                .setDelta(dev.streamtune.avro.Delta.newBuilder().setFormat(delta.format()).setSha256(delta.sha256())
                        .setSizeBytes(delta.size()).setInline(ByteBuffer.wrap(delta.bytes())).build())
                .setCreatedAt(Instant.now()).build();
    }

    private static void publish(ModelVersion model, UpdateAction action) throws Exception {
        publish(TestModels.EVALUATOR.sign(unsigned(model, action)));
    }

    private static ModelUpdate unsigned(ModelVersion model, UpdateAction action) {
        return ModelUpdate.newBuilder().setTask(model.getTask()).setAction(action)
                .setVersion(model.getVersion()).setReason(action + " by SubscriberIT").setModel(model)
                .setTimestamp(Instant.now()).build();
    }

    /** Publishes exactly {@code update}, as anyone with write access to the topic could. */
    private static void publish(ModelUpdate update) throws Exception {
        ModelVersion model = update.getModel();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, model.getTask(), serializer.serialize(TOPIC, update)))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void followsPromotionsRefusesBadDeltasAndServesALateStarterAtOnce(@TempDir Path artifacts) throws Exception {
        SubscriberConfig config = SubscriberConfig.of(platform.bootstrapServers(), platform.registryUrl(),
                        TestModels.EVALUATOR.asTrusted())
                .withTask("spam").withArtifactDirectory(artifacts)
                .withEmbedder(EmbedderConfig.defaults(MiniLmL6V2Provider.ID).withIntraOpThreads(2));
        List<ModelSwap> swaps = new CopyOnWriteArrayList<>();
        List<ModelRejectedException> rejections = new CopyOnWriteArrayList<>();
        try (ModelSubscriber subscriber = ModelSubscriber.start(config).onUpdate(swaps::add)
                .onRejected(rejections::add)) {
            assertThat(subscriber.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(subscriber.currentVersion()).isEmpty();

            publish(version("spam", 1, trainedHead), UpdateAction.PROMOTE);
            // another task's update on the same topic is not followed
            publish(version("sentiment", 1, trainedHead), UpdateAction.PROMOTE);
            assertThat(subscriber.awaitVersion("spam", 1, Duration.ofSeconds(30))).isTrue();

            Prediction spam = subscriber.predict("Claim your FREE prize now, you are our lucky winner!");
            Prediction ham = subscriber.predict("Could we go over the budget spreadsheet after lunch?");
            assertThat(spam.label()).isEqualTo("spam");
            assertThat(ham.label()).isEqualTo("ham");
            assertThat(spam.version()).isEqualTo(1);
            assertThat(spam.probability("spam") + spam.probability("ham")).isCloseTo(1.0,
                    org.assertj.core.data.Offset.offset(1e-6));
            assertThat(subscriber.models()).containsOnlyKeys("spam");

            // forgeries, each valid Avro with a higher version, as anyone who can write the topic could publish:
            // the evaluator's own record with its delta replaced by weights it never promoted (their sha256
            // recomputed), an unsigned update, and one signed by a key nobody here trusts
            ModelUpdate genuine = TestModels.EVALUATOR.sign(unsigned(version("spam", 1004, trainedHead),
                    UpdateAction.PROMOTE));
            publish(ModelUpdate.newBuilder(genuine).setModel(version("spam", 1004, invertedHead)).build());
            publish(unsigned(version("spam", 1005, invertedHead), UpdateAction.PROMOTE));
            publish(dev.streamtune.schemas.signing.SigningKey.generate().sign(unsigned(version("spam", 1006,
                    invertedHead), UpdateAction.PROMOTE)));
            // a tampered delta and an unknown backbone, signed, are refused by the loader; version 1 keeps serving
            publish(TestModels.tampered(version("spam", 2, trainedHead)), UpdateAction.PROMOTE);
            ModelVersion unknown = version("spam", 3, trainedHead);
            unknown.getBase().setBackbone("gpt-17");
            publish(unknown, UpdateAction.PROMOTE);
            await("five rejections").atMost(Duration.ofSeconds(30)).until(() -> rejections.size() >= 5);
            assertThat(rejections).extracting(ModelRejectedException::reason)
                    .containsExactly(RejectionReason.BAD_SIGNATURE, RejectionReason.UNSIGNED,
                            RejectionReason.UNTRUSTED_KEY, RejectionReason.DIGEST_MISMATCH,
                            RejectionReason.UNKNOWN_BACKBONE);
            assertThat(rejections).extracting(ModelRejectedException::version)
                    .containsExactly(1004L, 1005L, 1006L, 2L, 3L);
            assertThat(subscriber.currentVersion()).hasValue(1);
            assertThat(subscriber.predict("Claim your FREE prize now, you are our lucky winner!")).isEqualTo(spam);

            // a delta sent by URI into the artifact directory
            URI uri = new DirectoryArtifactStore(artifacts).put(trainedHead.bytes(), trainedHead.sha256());
            ModelVersion byUri = version("spam", 4, trainedHead);
            byUri.getDelta().setInline(null);
            byUri.getDelta().setUri(uri.toString());
            publish(byUri, UpdateAction.PROMOTE);
            assertThat(subscriber.awaitVersion("spam", 4, Duration.ofSeconds(30))).isTrue();
            assertThat(subscriber.predict("Could we go over the budget spreadsheet after lunch?").version()).isEqualTo(4);
            assertThat(swaps).extracting(ModelSwap::version).containsExactly(1L, 4L);
            assertThat(swaps.get(1).previousVersion()).isEqualTo(1L);
        }

        // a late starter replays the compacted topic and serves the newest good version as soon as it has caught up
        try (ModelSubscriber late = ModelSubscriber.start(config)) {
            assertThat(late.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(late.currentVersion()).hasValue(4);
            assertThat(late.predict("WIN cash now!!! Click this link to claim").label()).isEqualTo("spam");
        }
    }
}
