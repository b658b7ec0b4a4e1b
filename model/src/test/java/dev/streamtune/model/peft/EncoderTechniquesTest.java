package dev.streamtune.model.peft;

import dev.streamtune.model.optim.AdamOptimizer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.head.HeadSpec;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.DeterministicRandom;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.model.technique.TrainableModel;
import dev.streamtune.model.technique.TrainingBatch;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every technique that trains through the frozen encoder, on the real MiniLM weights. */
@Tag("model")
class EncoderTechniquesTest {
    private static final int INLINE_LIMIT_BYTES = 900 * 1024;

    private static TechniqueSpec spec(String id, Map<String, String> options) {
        Map<String, String> all = new java.util.HashMap<>(options);
        all.put("max_tokens", Integer.toString(PeftFixture.MAX_TOKENS));
        return new TechniqueSpec(id, HeadSpec.linear(384), all);
    }

    private static TechniqueContext context(String id, NDManager manager) {
        MiniLmEncoder encoder = PeftFixture.encoder();
        return new TechniqueContext(spec(id, Map.of()), 2, manager,
                Map.of(MiniLmEncoder.class, encoder, SourcePrompts.class, sourcePrompts()));
    }

    /** Two stand-in "other task" prompts: vocabulary vectors, as a freshly trained prompt starts. */
    static SourcePrompts sourcePrompts() {
        MiniLmEncoder encoder = PeftFixture.encoder();
        return new SourcePrompts(List.of(
                new NamedTensor("fortune@v1", new long[] {20, 384},
                        PromptTuningTechnique.vocabularyVectors(encoder, 20, new DeterministicRandom(11))),
                new NamedTensor("wordnet@v1", new long[] {20, 384},
                        PromptTuningTechnique.vocabularyVectors(encoder, 20, new DeterministicRandom(12)))));
    }

    @Test
    void serviceLoaderFindsEveryTechniqueWithItsParameterCount() {
        long head = 2 * 384 + 2;
        long perLayer = 4 * (384 * 384 + 384) + (384 * 1536 + 1536) + (1536 * 384 + 384) + 4 * 384;
        Map<String, Long> expected = Map.of(
                "prompt", 20 * 384 + head,
                "lora", 6 * 2 * (384 * 8 + 8 * 384) + head,
                "bitfit", 384 + 6 * (4 * 384 + 1536 + 384 + 2 * 384) + head,
                "unfreeze", 2 * perLayer + head,
                "attempt", 20 * 384 + (384 * 32 + 32) + (32 * 384 + 384) + head);
        expected.forEach((id, count) -> {
            Technique technique = Techniques.byId(id);
            assertThat(technique.inputKind()).isEqualTo(BatchInput.InputKind.TOKEN_IDS);
            assertThat(technique.trainableParameterCount(spec(id, Map.of()), 2)).as(id).isEqualTo(count);
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"prompt, 0.03", "attempt, 0.03", "lora, 0.01", "bitfit, 0.01", "unfreeze, 0.0005"})
    void trainsOnlyItsOwnTensorsLowersTheLossAndRoundTripsItsDelta(String id, float learningRate) {
        Technique technique = Techniques.byId(id);
        try (NDManager manager = NDManager.newBaseManager();
                TrainableModel model = technique.create(context(id, manager), new DeterministicRandom(7));
                // the moments live outside the model's manager, so its array count measures leaks only
                AdamOptimizer optimizer = new AdamOptimizer(manager, learningRate)) {
            assertThat(model.trainableParameterCount())
                    .isEqualTo(technique.trainableParameterCount(spec(id, Map.of()), 2));
            List<NamedTensor> before = model.exportTensors();
            double lossBefore = taskLoss(model);
            int arraysBefore = model.manager().getManagedArrays().size();
            int encoderArraysBefore = PeftFixture.encoder().manager().getManagedArrays().size();

            DeterministicRandom rng = new DeterministicRandom(3);
            for (int step = 0; step < 4; step++) {
                try (NDManager stepManager = model.manager().newSubManager()) {
                    TrainableModel.StepGradients result =
                            model.lossAndGradients(PeftFixture.batch(8 * (step % 2)), stepManager, rng);
                    assertThat(result.loss()).isFinite();
                    optimizer.update(model.trainableParameters(), result.gradients());
                }
            }

            double lossAfter = taskLoss(model);
            assertThat(lossAfter).as(id + " loss on the task after 4 steps").isLessThan(lossBefore * 0.9);
            // the frozen encoder is bit-for-bit what was loaded
            assertThat(PeftFixture.changedFrozenWeights()).as("changed frozen weights").isEmpty();
            // every trained tensor moved (the key bias cannot: softmax ignores a shift shared by all keys)
            List<NamedTensor> after = model.exportTensors();
            for (int i = 0; i < before.size(); i++) {
                if (!before.get(i).name().endsWith("attention.self.key.bias")) {
                    assertThat(after.get(i).valuesView()).as(after.get(i).name() + " after training")
                            .isNotEqualTo(before.get(i).valuesView());
                }
            }
            // a step leaves nothing behind in the model's or the encoder's manager
            assertThat(model.manager().getManagedArrays()).hasSize(arraysBefore);
            assertThat(PeftFixture.encoder().manager().getManagedArrays()).hasSize(encoderArraysBefore);

            Delta delta = model.saveDelta();
            if (!id.equals(UnfreezeTechnique.ID)) {
                assertThat(delta.size()).as(id + " delta bytes").isLessThan(INLINE_LIMIT_BYTES);
            }
            BatchInput.TokenIds probe = PeftFixture.tokens(PeftFixture.TEXTS.subList(0, 8));
            try (TrainableModel loaded = technique.loadDelta(context(id, manager), delta);
                    NDManager step = manager.newSubManager()) {
                assertThat(loaded.exportTensors()).isEqualTo(after);
                float[][] original = PeftFixture.rows(model.logits(probe, step));
                float[][] restored = PeftFixture.rows(loaded.logits(probe, step));
                assertThat(PeftFixture.maxAbsDifference(original, restored)).isLessThan(1e-6);
            }
        }
    }

    /** Weight-normalised cross-entropy over all 16 texts, in two batches of 8, by the inference path. */
    private static double taskLoss(TrainableModel model) {
        double total = 0;
        for (int from = 0; from < 16; from += 8) {
            TrainingBatch batch = PeftFixture.batch(from);
            try (NDManager step = model.manager().newSubManager()) {
                float[][] logits = PeftFixture.rows(model.logits(batch.input(), step));
                for (int r = 0; r < logits.length; r++) {
                    double max = Math.max(logits[r][0], logits[r][1]);
                    double log = max + Math.log(Math.exp(logits[r][0] - max) + Math.exp(logits[r][1] - max));
                    total += log - logits[r][batch.labels()[r]];
                }
            }
        }
        return total / 16;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"prompt", "attempt", "lora"})
    void paddingDoesNotChangeAnInputsLogits(String id) {
        Technique technique = Techniques.byId(id);
        try (NDManager manager = NDManager.newBaseManager();
                TrainableModel model = technique.create(context(id, manager), new DeterministicRandom(5));
                NDManager step = manager.newSubManager()) {
            String shortText = "Meeting moved to 3pm.";
            String longText = "Could you please send me the slides from yesterday's talk about distributed consensus?";
            float[][] alone = PeftFixture.rows(model.logits(PeftFixture.tokens(List.of(shortText)), step));
            float[][] padded = PeftFixture.rows(model.logits(PeftFixture.tokens(List.of(longText, shortText)), step));
            assertThat(PeftFixture.maxAbsDifference(alone, new float[][] {padded[1]})).isLessThan(1e-5);
        }
    }

    @Test
    void loraMergedIntoTheWeightsGivesTheSameOutputsAsTheFactors() {
        Technique technique = Techniques.byId(LoraTechnique.ID);
        try (NDManager manager = NDManager.newBaseManager();
                TrainableModel model = technique.create(context(LoraTechnique.ID, manager), new DeterministicRandom(9));
                AdamOptimizer optimizer = new AdamOptimizer(model.manager(), 0.01f)) {
            for (int step = 0; step < 2; step++) {
                try (NDManager stepManager = model.manager().newSubManager()) {
                    optimizer.update(model.trainableParameters(), model.lossAndGradients(PeftFixture.batch(0),
                            stepManager, new DeterministicRandom(step)).gradients());
                }
            }
            EncoderClassifier classifier = (EncoderClassifier) model;
            BatchInput.TokenIds probe = PeftFixture.tokens(PeftFixture.TEXTS.subList(8, 16));
            try (NDManager step = manager.newSubManager()) {
                float[][] merged = PeftFixture.rows(classifier.logits(probe, step));
                float[][] factored = PeftFixture.rows(classifier.unmergedLogits(probe, step));
                float[][] frozen;
                try (TrainableModel untrained = technique.create(context(LoraTechnique.ID, manager),
                        new DeterministicRandom(9))) {
                    frozen = PeftFixture.rows(((EncoderClassifier) untrained).unmergedLogits(probe, step));
                }
                assertThat(PeftFixture.maxAbsDifference(merged, factored)).isLessThan(1e-5);
                // and the factors did change the output, so the comparison means something
                assertThat(PeftFixture.maxAbsDifference(factored, frozen)).isGreaterThan(1e-3);
            }
            // the standalone merge (for servers) gives the same weights the inference path uses
            List<NamedTensor> factors = model.exportTensors().subList(0, 24);
            List<NamedTensor> weights = LoraTechnique.mergedWeights(PeftFixture.encoder(),
                    spec(LoraTechnique.ID, Map.of()), factors);
            assertThat(weights).hasSize(12);
            assertThat(weights.get(0).name()).isEqualTo("encoder.layer.0.attention.self.query.weight");
            NDArray frozenQuery = PeftFixture.encoder().frozenParameter("encoder.layer.0.attention.self.query.weight");
            float[] a = factors.get(0).valuesView();
            float[] b = factors.get(1).valuesView();
            float expected = frozenQuery.toFloatArray()[0];
            for (int k = 0; k < 8; k++) {
                expected += a[k] * b[k * 384] * 2f; // alpha 16 / rank 8
            }
            assertThat(weights.get(0).valuesView()[0]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    @Test
    void attemptWithoutSourcePromptsSaysWhatIsMissing() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TechniqueContext noSources = new TechniqueContext(spec(AttemptTechnique.ID, Map.of()), 2, manager,
                    Map.of(MiniLmEncoder.class, PeftFixture.encoder()));
            assertThatThrownBy(() -> Techniques.byId(AttemptTechnique.ID).create(noSources, new DeterministicRandom(1)))
                    .hasMessageContaining(SourcePrompts.class.getName());
            TechniqueContext shortPrompt = new TechniqueContext(spec(AttemptTechnique.ID, Map.of("prompt_length", "5")),
                    2, manager, Map.of(MiniLmEncoder.class, PeftFixture.encoder(), SourcePrompts.class, sourcePrompts()));
            assertThatThrownBy(() -> Techniques.byId(AttemptTechnique.ID).create(shortPrompt, new DeterministicRandom(1)))
                    .hasMessageContaining("prompt_length");
        }
    }

    @Test
    void badOptionsNameTheOptionAndItsLimits() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TechniqueContext context = new TechniqueContext(spec(LoraTechnique.ID, Map.of("lora_rank", "0")), 2,
                    manager, Map.of(MiniLmEncoder.class, PeftFixture.encoder()));
            assertThatThrownBy(() -> Techniques.byId(LoraTechnique.ID).create(context, new DeterministicRandom(1)))
                    .hasMessageContaining("lora_rank").hasMessageContaining("[1, 384]");
            TechniqueContext wrongWidth = new TechniqueContext(new TechniqueSpec(PromptTuningTechnique.ID,
                    HeadSpec.linear(768), Map.of()), 2, manager, Map.of(MiniLmEncoder.class, PeftFixture.encoder()));
            assertThatThrownBy(() -> Techniques.byId(PromptTuningTechnique.ID).create(wrongWidth,
                    new DeterministicRandom(1))).hasMessageContaining("hidden 768");
        }
    }

    @Test
    void growingLabelsKeepsTheHeadTrainable() {
        Technique technique = Techniques.byId(BitFitTechnique.ID);
        try (NDManager manager = NDManager.newBaseManager();
                TrainableModel model = technique.create(context(BitFitTechnique.ID, manager), new DeterministicRandom(2));
                NDManager step = manager.newSubManager()) {
            model.growLabels(3);
            TrainingBatch batch = PeftFixture.batch(0);
            int[] labels = batch.labels().clone();
            labels[0] = 2;
            NDList gradients = model.lossAndGradients(new TrainingBatch(batch.input(), labels, batch.lossWeights()), step,
                    new DeterministicRandom(1)).gradients();
            // the head's output layer is one augmented [W | b] array, the last trainable parameter
            NDArray outputGradient = gradients.get(gradients.size() - 1);
            assertThat(outputGradient.getShape().getShape()).containsExactly(3, 385);
            float largest = 0f;
            for (float value : PeftFixture.rows(outputGradient)[2]) {
                largest = Math.max(largest, Math.abs(value));
            }
            assertThat(largest).as("gradient of the new label's output row").isGreaterThan(0f);
        }
    }
}
