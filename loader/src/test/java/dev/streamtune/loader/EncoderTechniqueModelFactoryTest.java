package dev.streamtune.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.backbone.BackboneTokenizer;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.optim.AdamOptimizer;
import dev.streamtune.model.peft.AttemptTechnique;
import dev.streamtune.model.peft.LoraTechnique;
import dev.streamtune.model.peft.PromptTuningTechnique;
import dev.streamtune.model.peft.SourcePrompts;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.DeterministicRandom;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSettings;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.model.technique.TrainableModel;
import dev.streamtune.model.technique.TrainingBatch;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * Versions of encoder techniques, trained for a few Adam steps on the real MiniLM weights, travel as Avro
 * {@code ModelVersion}s with inline deltas and load through {@link ModelLoader#standard} into models that predict
 * exactly what the trained model predicts. 24 tokens and batches of 4 keep the CPU forward passes short.
 */
@Tag("model")
class EncoderTechniqueModelFactoryTest {
    private static final int MAX_TOKENS = 24;
    private static final List<String> LABELS = List.of("ham", "spam");
    private static final List<String> TRAIN_TEXTS = List.of(
            "Win a free cruise now, click here!",
            "Meeting moved to 3pm tomorrow.",
            "Cheap meds online, no prescription needed!!!",
            "Can you review my pull request?");
    private static final int[] TRAIN_LABELS = {1, 0, 1, 0};
    private static final List<String> PROBE_TEXTS = List.of(
            "Claim your reward before midnight!",
            "I pushed a fix for the flaky test, could you have a look at it when you have a moment?");

    private static Backbone backbone;
    private static MiniLmEncoder encoder;
    private static BackboneTokenizer tokenizer;
    private static NDManager manager;
    private static ModelLoader loader;

    @BeforeAll
    static void loadBackbone() {
        backbone = BackboneRegistry.standard().byId(MiniLmL6V2Provider.ID);
        // the factory's shared encoder: training and serving use the very same weights, imported once
        encoder = SharedEncoders.encoder(backbone);
        tokenizer = BackboneTokenizer.load(backbone, MAX_TOKENS);
        manager = encoder.manager().newSubManager();
        loader = ModelLoader.standard(Optional.empty(), TextEncoderProvider.NONE);
    }

    @AfterAll
    static void release() {
        tokenizer.close();
        manager.close();
    }

    @Test
    void loraVersionPredictsTheTrainedModelsProbabilities() {
        checkRoundTrip(LoraTechnique.ID, Map.of("lora_rank", "4"), 1e-2f);
    }

    @Test
    void promptVersionPredictsTheTrainedModelsProbabilities() {
        checkRoundTrip(PromptTuningTechnique.ID, Map.of("prompt_length", "4"), 3e-2f);
    }

    @Test
    void everyTechniqueOfTheOneRegistryIsLoadable() {
        // the loader keeps no list of its own: what the technique registry holds is what it serves
        assertThat(loader.techniques()).containsExactlyInAnyOrderElementsOf(
                dev.streamtune.model.technique.Techniques.available().stream()
                        .map(dev.streamtune.model.technique.Technique::id).toList());
        assertThat(loader.techniques()).contains("head", "hybrid", "prompt", "lora", "bitfit", "unfreeze", "attempt");
    }

    /**
     * ATTEMPT's delta carries the two source prompts it was trained against, so the loader (which has no other
     * task's version) rebuilds exactly the trained model; a delta without them is unreadable, not a crash.
     */
    @Test
    void attemptVersionCarriesItsSourcePromptsAndPredictsTheTrainedModelsProbabilities() {
        SourcePrompts sources = new SourcePrompts(List.of(
                new NamedTensor("fortune@v3", new long[] {4, 384}, smallRandom(4 * 384, 31)),
                new NamedTensor("wordnet@v1", new long[] {4, 384}, smallRandom(4 * 384, 32))));
        Map<String, String> options = Map.of("prompt_length", "4", "attention_rank", "8",
                AttemptTechnique.SOURCE_VERSIONS, AttemptTechnique.sourceProvenance(sources));
        checkRoundTrip(AttemptTechnique.ID, options, 3e-2f, sources);

        ModelVersion withoutSources;
        try (TrainableModel model = trained(AttemptTechnique.ID, options, 3e-2f, 7, 0, sources)) {
            withoutSources = version(AttemptTechnique.ID, spec(AttemptTechnique.ID, options), 4,
                    DeltaCodec.encode(model.exportTensors()));
        }
        assertThatThrownBy(() -> loader.load(withoutSources))
                .isInstanceOf(ModelRejectedException.class)
                .hasMessageContaining("carries no source prompts")
                .satisfies(e -> assertThat(((ModelRejectedException) e).reason())
                        .isEqualTo(RejectionReason.UNREADABLE_DELTA));
    }

    /** Values of the size of word-piece vectors (about 0.05), standing in for prompts trained on other tasks. */
    private static float[] smallRandom(int count, long seed) {
        DeterministicRandom rng = new DeterministicRandom(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (rng.nextFloat() - 0.5f) * 0.1f;
        }
        return values;
    }

    @Test
    void batchedTextPredictionsEqualOneByOneInTheCallersOrder() throws Exception {
        try (TrainableModel model = trained(LoraTechnique.ID, Map.of("lora_rank", "2"), 1e-2f, 3, 1)) {
            LoadedModel loaded = loader.load(version(LoraTechnique.ID,
                    spec(LoraTechnique.ID, Map.of("lora_rank", "2")), 1, DeltaCodec.encode(model.exportTensors())));
            try {
                List<String> texts = new java.util.ArrayList<>(TRAIN_TEXTS);
                texts.addAll(PROBE_TEXTS);
                List<Prediction> batched = loaded.predictTexts(texts);
                assertThat(batched).hasSize(texts.size());
                for (int i = 0; i < texts.size(); i++) {
                    Prediction single = loaded.predictText(texts.get(i));
                    assertThat(batched.get(i).probability("spam")).as(texts.get(i))
                            .isCloseTo(single.probability("spam"), org.assertj.core.data.Offset.offset(1e-5));
                }
                assertThat(loaded.predictTexts(List.of())).isEmpty();
            } finally {
                ((AutoCloseable) loaded).close();
            }
        }
    }

    @Test
    void deltaOfAnotherRankIsUnreadable() {
        ModelVersion rankTwoDeclaredFour;
        try (TrainableModel rankTwo = trained(LoraTechnique.ID, Map.of("lora_rank", "2"), 1e-2f, 1, 0)) {
            rankTwoDeclaredFour = version(LoraTechnique.ID, spec(LoraTechnique.ID, Map.of("lora_rank", "4")), 1,
                    DeltaCodec.encode(rankTwo.exportTensors()));
        }
        assertThatThrownBy(() -> loader.load(rankTwoDeclaredFour))
                .isInstanceOf(ModelRejectedException.class)
                .satisfies(e -> assertThat(((ModelRejectedException) e).reason())
                        .isEqualTo(RejectionReason.UNREADABLE_DELTA));
    }

    @Test
    void aClosedVersionFailsWithAClearErrorNotANativeCrash() throws Exception {
        ModelVersion first;
        // untrained: what matters is that the version's tensors are freed on close
        try (TrainableModel one = trained(LoraTechnique.ID, Map.of("lora_rank", "2"), 1e-2f, 1, 0)) {
            first = version(LoraTechnique.ID, spec(one.techniqueId(), Map.of("lora_rank", "2")), 1,
                    DeltaCodec.encode(one.exportTensors()));
        }
        LoadedModel loaded = loader.load(first);
        assertThat(loaded.predictText(PROBE_TEXTS.get(0)).version()).isEqualTo(1);
        // what ServingModels does to the version a swap replaced (its swap is tested in the subscriber)
        ((AutoCloseable) loaded).close();
        assertThatThrownBy(() -> loaded.predictText(PROBE_TEXTS.get(0)))
                .isInstanceOf(ModelClosedException.class)
                .hasMessageContaining("version 1 of task 'spam' was replaced and closed");
    }

    private void checkRoundTrip(String techniqueId, Map<String, String> options, float learningRate) {
        checkRoundTrip(techniqueId, options, learningRate, null);
    }

    /** @param sources ATTEMPT's source prompts, which its published delta carries; null for other techniques */
    private void checkRoundTrip(String techniqueId, Map<String, String> options, float learningRate,
            SourcePrompts sources) {
        TechniqueSpec spec = spec(techniqueId, options);
        try (TrainableModel untrained = Techniques.byId(techniqueId).create(context(spec, sources),
                new DeterministicRandom(7));
             TrainableModel model = trained(techniqueId, options, learningRate, 7, 3, sources)) {
            Delta delta = model.saveDelta();
            ModelVersion version = version(techniqueId, spec, 3, delta);

            LoadedModel loaded = loader.load(version);
            try {
                assertThat(loaded).isInstanceOf(EncoderTechniqueModel.class);
                assertThat(loaded.techniqueId()).isEqualTo(techniqueId);
                assertThat(loaded.acceptsPooledFeatures()).isFalse();
                assertThat(((EncoderTechniqueModel) loaded).maxTokens()).isEqualTo(MAX_TOKENS);
                assertThatThrownBy(() -> loaded.predictFeatures(new float[384]))
                        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("text only");
                for (String text : PROBE_TEXTS) {
                    float[] expected = probabilities(model, text);
                    Prediction prediction = loaded.predictText(text);
                    assertThat(prediction.version()).isEqualTo(3);
                    for (int i = 0; i < LABELS.size(); i++) {
                        assertThat(prediction.probability(LABELS.get(i))).as("%s p(%s | %s)", techniqueId,
                                LABELS.get(i), text).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5));
                    }
                    // the steps moved the prediction, so agreeing above means the delta's tensors were used
                    assertThat(Math.abs(probabilities(untrained, text)[1] - expected[1])).as("training moved %s", text)
                            .isGreaterThan(1e-4f);
                }
            } finally {
                ((AutoCloseable) loaded).close();
            }

            assertThatThrownBy(() -> loader.load(TestModels.tampered(version)))
                    .isInstanceOf(ModelRejectedException.class)
                    .satisfies(e -> assertThat(((ModelRejectedException) e).reason())
                            .isEqualTo(RejectionReason.DIGEST_MISMATCH));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static TrainableModel trained(String techniqueId, Map<String, String> options, float learningRate,
            long seed, int steps) {
        return trained(techniqueId, options, learningRate, seed, steps, null);
    }

    private static TrainableModel trained(String techniqueId, Map<String, String> options, float learningRate,
            long seed, int steps, SourcePrompts sources) {
        Technique technique = Techniques.byId(techniqueId);
        TrainableModel model = technique.create(context(spec(techniqueId, options), sources),
                new DeterministicRandom(seed));
        try (AdamOptimizer optimizer = new AdamOptimizer(manager, learningRate)) {
            TrainingBatch batch = new TrainingBatch(tokens(TRAIN_TEXTS), TRAIN_LABELS, new float[] {1, 1, 1, 1});
            for (int step = 0; step < steps; step++) {
                try (NDManager stepManager = model.manager().newSubManager()) {
                    optimizer.update(model.trainableParameters(),
                            model.lossAndGradients(batch, stepManager, new DeterministicRandom(step)).gradients());
                }
            }
        }
        return model;
    }

    private static float[] probabilities(TrainableModel model, String text) {
        try (NDManager step = model.manager().newSubManager()) {
            return model.logits(tokens(List.of(text)), step).softmax(1).toFloatArray();
        }
    }

    private static TechniqueSpec spec(String techniqueId, Map<String, String> options) {
        Map<String, String> settings = new LinkedHashMap<>(options);
        settings.put("max_tokens", Integer.toString(MAX_TOKENS));
        return TechniqueSettings.fromSettings(techniqueId, backbone.hiddenSize(), settings);
    }

    private static TechniqueContext context(TechniqueSpec spec, SourcePrompts sources) {
        return new TechniqueContext(spec, LABELS.size(), manager, sources == null
                ? Map.of(MiniLmEncoder.class, encoder)
                : Map.of(MiniLmEncoder.class, encoder, SourcePrompts.class, sources));
    }

    private static BatchInput.TokenIds tokens(List<String> texts) {
        return BatchInput.TokenIds.of(tokenizer.encodeAll(texts));
    }

    private static ModelVersion version(String techniqueId, TechniqueSpec spec, long number, Delta delta) {
        return ModelVersion.newBuilder().setTask("spam").setVersion(number).setTechnique(techniqueId)
                .setHyperparameters(TechniqueSettings.toSettings(spec))
                .setBase(new BaseModel(backbone.id(), backbone.weightsSha256())).setLabels(LABELS)
                .setDelta(dev.streamtune.avro.Delta.newBuilder().setFormat(delta.format()).setSha256(delta.sha256())
                        .setSizeBytes(delta.size()).setInline(ByteBuffer.wrap(delta.bytes())).build())
                .setCreatedAt(Instant.parse("2026-11-26T10:00:00Z")).build();
    }

}
