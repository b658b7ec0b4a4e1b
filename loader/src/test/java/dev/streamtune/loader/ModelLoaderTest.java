package dev.streamtune.loader;

import static dev.streamtune.loader.TestModels.BACKBONE;
import static dev.streamtune.loader.TestModels.LABELS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.head.BaseModelRef;
import dev.streamtune.model.head.HeadSpec;
import dev.streamtune.model.head.Predictor;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

@Tag("model")
class ModelLoaderTest {
    private static final Delta DELTA = TestModels.linearDelta(2, 7);
    private final ModelLoader loader = TestModels.loader(TextEncoderProvider.NONE);

    @Test
    void headOnlyPredictionsEqualThePredictorOnTheSameDelta() {
        LoadedModel model = loader.load(TestModels.version("spam", 3, DELTA).build());
        Predictor reference = Predictor.load(new BaseModelRef(TestModels.BACKBONE_ID, BACKBONE.weightsSha256()),
                HeadSpec.linear(TestModels.DIM), LABELS, DELTA);

        assertThat(model.task()).isEqualTo("spam");
        assertThat(model.version()).isEqualTo(3);
        assertThat(model.labels()).isEqualTo(LABELS);
        assertThat(model.techniqueId()).isEqualTo("head");
        assertThat(model.deltaSha256()).isEqualTo(DELTA.sha256());
        assertThat(model.acceptsPooledFeatures()).isTrue();
        Random random = new Random(11);
        int spamPredictions = 0;
        for (int i = 0; i < 200; i++) {
            float[] x = TestModels.features(random);
            Prediction got = model.predictFeatures(x);
            Predictor.Prediction expected = reference.predict(x);
            assertThat(got.label()).isEqualTo(expected.label());
            assertThat(got.version()).isEqualTo(3);
            assertThat(got.probabilities().keySet()).containsExactlyElementsOf(LABELS);
            for (int c = 0; c < LABELS.size(); c++) {
                assertThat(got.probability(LABELS.get(c))).isEqualTo((double) expected.probabilities()[c]);
            }
            spamPredictions += got.label().equals("spam") ? 1 : 0;
        }
        // random weights on random inputs: both labels occur, so the label mapping was really exercised
        assertThat(spamPredictions).isBetween(1, 199);
    }

    @Test
    void predictTextRunsTheBackboneEncoderThenTheHead() {
        float[] fixed = TestModels.features(new Random(5));
        LoadedModel model = TestModels.loader(TextEncoderProvider.perText(text -> fixed)).load(TestModels.version("spam", 1, DELTA).build());
        assertThat(model.predictText("anything")).isEqualTo(model.predictFeatures(fixed));

        LoadedModel featuresOnly = loader.load(TestModels.version("spam", 1, DELTA).build());
        assertThatThrownBy(() -> featuresOnly.predictText("hello")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no text encoder").hasMessageContaining(TestModels.BACKBONE_ID);
    }

    @Test
    void aTamperedDeltaIsRefusedBeforeDecoding() {
        ModelVersion tampered = TestModels.tampered(TestModels.version("spam", 2, DELTA).build());
        assertRejected(() -> loader.load(tampered), RejectionReason.DIGEST_MISMATCH,
                "delta.sha256 is " + DELTA.sha256(), "hash to ");
    }

    @Test
    void anUnknownBackboneIsRefusedNamingTheKnownOnes() {
        ModelVersion version = TestModels.version("spam", 2, DELTA)
                .setBase(new BaseModel("bert-huge", BACKBONE.weightsSha256())).build();
        assertRejected(() -> loader.load(version), RejectionReason.UNKNOWN_BACKBONE, "'bert-huge'",
                TestModels.BACKBONE_ID);
    }

    @Test
    void aDeltaTrainedOnOtherBaseWeightsIsRefused() {
        String other = "ab".repeat(32);
        ModelVersion version = TestModels.version("spam", 2, DELTA)
                .setBase(new BaseModel(TestModels.BACKBONE_ID, other)).build();
        assertRejected(() -> loader.load(version), RejectionReason.BASE_MISMATCH, "base.sha256 is " + other,
                BACKBONE.weightsSha256());
    }

    @Test
    void bytesThatVerifyButAreNotTensorsAreRefusedAsUnreadable() {
        byte[] garbage = "definitely not an NDList".getBytes(StandardCharsets.UTF_8);
        ModelVersion version = withInline(TestModels.version("spam", 2, DELTA), garbage, Delta.sha256Hex(garbage));
        assertRejected(() -> loader.load(version), RejectionReason.UNREADABLE_DELTA, "not a readable");
    }

    @Test
    void tensorsOfTheWrongShapeAreRefusedAsUnreadable() {
        // a 3-label head under a 2-label version
        Delta threeLabels = TestModels.linearDelta(3, 1);
        ModelVersion version = TestModels.version("spam", 2, threeLabels).build();
        assertRejected(() -> loader.load(version), RejectionReason.UNREADABLE_DELTA, "output.weight", "shape");
    }

    @Test
    void aDeclaredSizeThatDiffersIsRefused() {
        ModelVersion version = TestModels.version("spam", 2, DELTA).build();
        version.getDelta().setSizeBytes(DELTA.size() + 1L);
        assertRejected(() -> loader.load(version), RejectionReason.DELTA_SIZE, "declares " + (DELTA.size() + 1));
    }

    @Test
    void anUnknownTechniqueAndMalformedMetadataAreRefused() {
        assertRejected(() -> loader.load(TestModels.version("spam", 2, DELTA).setTechnique("lora").build()),
                RejectionReason.UNSUPPORTED_TECHNIQUE, "'lora'", "[head]");
        assertRejected(() -> loader.load(TestModels.version("spam", 2, DELTA).setLabels(List.of("only")).build()),
                RejectionReason.INVALID_METADATA, "at least 2");
        assertRejected(() -> loader.load(TestModels.version(" ", 2, DELTA).build()),
                RejectionReason.INVALID_METADATA, "task");
        assertRejected(() -> loader.load(TestModels.version("spam", 0, DELTA).build()),
                RejectionReason.INVALID_METADATA, "version must be >= 1");
        assertRejected(() -> loader.load(TestModels.version("spam", 2, DELTA)
                        .setHyperparameters(Map.of("head", "transformer")).build()),
                RejectionReason.INVALID_METADATA, "hyperparameters", "transformer");
    }

    @Test
    void aDeltaByUriIsFetchedFromTheDirectoryStoreAndVerified(@TempDir Path root) throws Exception {
        DirectoryArtifactStore store = new DirectoryArtifactStore(root.resolve("artifacts"));
        URI uri = store.put(DELTA.bytes(), DELTA.sha256());
        ModelLoader withStore = new ModelLoader(TestModels.REGISTRY, Optional.of(store), TextEncoderProvider.NONE,
                List.of(new HeadOnlyModelFactory()), ModelLoader.DEFAULT_MAX_DELTA_BYTES);

        ModelVersion byUri = byUri(TestModels.version("spam", 4, DELTA), uri.toString());
        assertThat(withStore.load(byUri).deltaSha256()).isEqualTo(DELTA.sha256());

        // no store configured
        assertRejected(() -> loader.load(byUri), RejectionReason.DELTA_UNAVAILABLE, "no", "artifact store");
        // a file outside the store's directory is never read
        Path outside = Files.write(root.resolve("outside.delta"), DELTA.bytes());
        assertRejected(() -> withStore.load(byUri(TestModels.version("spam", 4, DELTA), outside.toUri().toString())),
                RejectionReason.DELTA_UNAVAILABLE, "outside the artifact store");
        // missing, and a scheme the directory store does not serve
        assertRejected(() -> withStore.load(byUri(TestModels.version("spam", 4, DELTA),
                store.root().resolve("0".repeat(64) + ".delta").toUri().toString())),
                RejectionReason.DELTA_UNAVAILABLE, "no such file");
        assertRejected(() -> withStore.load(byUri(TestModels.version("spam", 4, DELTA), "s3://bucket/x.delta")),
                RejectionReason.DELTA_UNAVAILABLE, "scheme 's3'");
        // the stored file altered on disk: the digest catches it
        Path stored = Path.of(uri);
        byte[] altered = Files.readAllBytes(stored);
        altered[altered.length - 1] ^= 0x10;
        Files.write(stored, altered);
        assertRejected(() -> withStore.load(byUri), RejectionReason.DIGEST_MISMATCH, "hash to");
    }

    @Test
    void aDeltaLargerThanTheLimitIsRefusedWithoutReadingIt(@TempDir Path root) throws Exception {
        DirectoryArtifactStore store = new DirectoryArtifactStore(root);
        URI uri = store.put(DELTA.bytes(), DELTA.sha256());
        ModelLoader small = new ModelLoader(TestModels.REGISTRY, Optional.of(store), TextEncoderProvider.NONE,
                List.of(new HeadOnlyModelFactory()), 16);
        assertRejected(() -> small.load(byUri(TestModels.version("spam", 4, DELTA), uri.toString())),
                RejectionReason.DELTA_SIZE, "outside [0, 16]");
    }

    @Test
    void theStandardLoaderFindsTheHeadOnlyFactory() {
        assertThat(ModelLoader.standard(Optional.empty(), TextEncoderProvider.NONE).techniques()).contains("head");
    }

    private static ModelVersion byUri(ModelVersion.Builder builder, String uri) {
        ModelVersion version = builder.build();
        version.getDelta().setInline(null);
        version.getDelta().setUri(uri);
        return version;
    }

    private static ModelVersion withInline(ModelVersion.Builder builder, byte[] bytes, String sha256) {
        ModelVersion version = builder.build();
        version.getDelta().setInline(ByteBuffer.wrap(bytes));
        version.getDelta().setSha256(sha256);
        version.getDelta().setSizeBytes(bytes.length);
        return version;
    }

    private static void assertRejected(ThrowingCallable call, RejectionReason reason, String... messageParts) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ModelRejectedException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.getMessage()).contains(messageParts);
        });
    }
}
