package dev.streamtune.model.peft;

import dev.streamtune.model.optim.AdamOptimizer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.DeltaRejectedException;
import dev.streamtune.model.delta.HostileDeltas;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.TensorSpec;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.head.HeadSpec;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.DeterministicRandom;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.model.technique.TrainableModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * A published ATTEMPT delta is self-contained: it carries its frozen source prompts, a consumer with no
 * {@link SourcePrompts} resource rebuilds the same model from it, and the parameter counts stay those of the
 * trained tensors. Prompts of 4 positions and a rank-8 attention keep it quick on the real MiniLM weights.
 */
@Tag("model")
class AttemptDeltaTest {
    private static final int PROMPT_LENGTH = 4;

    private static TechniqueSpec spec(Map<String, String> extra) {
        Map<String, String> options = new HashMap<>(extra);
        options.put("max_tokens", Integer.toString(PeftFixture.MAX_TOKENS));
        options.put("prompt_length", Integer.toString(PROMPT_LENGTH));
        options.put("attention_rank", "8");
        return new TechniqueSpec(AttemptTechnique.ID, HeadSpec.linear(384), options);
    }

    private static SourcePrompts sources() {
        MiniLmEncoder encoder = PeftFixture.encoder();
        return new SourcePrompts(List.of(
                new NamedTensor("fortune@v3", new long[] {PROMPT_LENGTH, 384},
                        PromptTuningTechnique.vocabularyVectors(encoder, PROMPT_LENGTH, new DeterministicRandom(21))),
                new NamedTensor("wordnet@v1", new long[] {PROMPT_LENGTH, 384},
                        PromptTuningTechnique.vocabularyVectors(encoder, PROMPT_LENGTH, new DeterministicRandom(22)))));
    }

    private static TrainableModel trained(TechniqueContext context) {
        TrainableModel model = Techniques.byId(AttemptTechnique.ID).create(context, new DeterministicRandom(5));
        try (AdamOptimizer optimizer = new AdamOptimizer(context.manager(), 0.03f)) {
            DeterministicRandom rng = new DeterministicRandom(6);
            for (int step = 0; step < 2; step++) {
                try (NDManager stepManager = model.manager().newSubManager()) {
                    optimizer.update(model.trainableParameters(),
                            model.lossAndGradients(PeftFixture.batch(8 * step), stepManager, rng).gradients());
                }
            }
        }
        return model;
    }

    @Test
    void deltaCarriesItsSourcePromptsAndLoadsWithoutThem() {
        SourcePrompts sources = sources();
        TechniqueSpec spec = spec(Map.of(AttemptTechnique.SOURCE_VERSIONS, AttemptTechnique.sourceProvenance(sources)));
        Technique technique = Techniques.byId(AttemptTechnique.ID);
        try (NDManager manager = NDManager.newBaseManager()) {
            TechniqueContext training = new TechniqueContext(spec, 2, manager,
                    Map.of(MiniLmEncoder.class, PeftFixture.encoder(), SourcePrompts.class, sources));
            TechniqueContext consumer = new TechniqueContext(spec, 2, manager,
                    Map.of(MiniLmEncoder.class, PeftFixture.encoder()));
            try (TrainableModel model = trained(training)) {
                long trainable = (long) PROMPT_LENGTH * 384 + (384 * 8 + 8) + (8 * 384 + 384) + (2 * 384 + 2);
                assertThat(technique.trainableParameterCount(spec, 2)).isEqualTo(trainable);
                assertThat(model.trainableParameterCount()).isEqualTo(trainable);

                Delta delta = model.saveDelta();
                List<TensorSpec> expected = new ArrayList<>(technique.tensorSpecs(spec, 2));
                AttemptTechnique.sourceTensors(sources).forEach(tensor -> expected.add(tensor.spec()));
                List<NamedTensor> carried = DeltaCodec.decode(delta, expected);
                assertThat(carried.get(carried.size() - 1).name()).isEqualTo("attempt.source.1");
                assertThat(carried.get(carried.size() - 1).valuesView())
                        .isEqualTo(sources.prompts().get(1).valuesView());

                BatchInput.TokenIds probe = PeftFixture.tokens(PeftFixture.TEXTS.subList(0, 8));
                try (TrainableModel loaded = technique.loadDelta(consumer, delta);
                        NDManager step = manager.newSubManager()) {
                    assertThat(loaded.trainableParameterCount()).isEqualTo(trainable);
                    assertThat(loaded.exportTensors()).isEqualTo(model.exportTensors());
                    float[][] original = PeftFixture.rows(model.logits(probe, step));
                    float[][] restored = PeftFixture.rows(loaded.logits(probe, step));
                    assertThat(PeftFixture.maxAbsDifference(original, restored)).isLessThan(1e-6);
                }

                // other source prompts change the model: the carried ones are really used
                SourcePrompts others = new SourcePrompts(List.of(sources.prompts().get(0),
                        new NamedTensor("other@v1", new long[] {PROMPT_LENGTH, 384}, PromptTuningTechnique
                                .vocabularyVectors(PeftFixture.encoder(), PROMPT_LENGTH, new DeterministicRandom(99)))));
                List<NamedTensor> withOthers = new ArrayList<>(model.exportTensors());
                withOthers.addAll(AttemptTechnique.sourceTensors(others));
                try (TrainableModel swapped = technique.loadDelta(consumer, DeltaCodec.encode(withOthers));
                        NDManager step = manager.newSubManager()) {
                    float[][] original = PeftFixture.rows(model.logits(probe, step));
                    float[][] restored = PeftFixture.rows(swapped.logits(probe, step));
                    assertThat(PeftFixture.maxAbsDifference(original, restored)).isGreaterThan(1e-6);
                }
            }
        }
    }

    @Test
    void refusesADeltaWithoutSourcesGapsOrAMismatchedProvenance() {
        SourcePrompts sources = sources();
        Technique technique = Techniques.byId(AttemptTechnique.ID);
        try (NDManager manager = NDManager.newBaseManager()) {
            TechniqueSpec spec = spec(Map.of());
            TechniqueContext training = new TechniqueContext(spec, 2, manager,
                    Map.of(MiniLmEncoder.class, PeftFixture.encoder(), SourcePrompts.class, sources));
            TechniqueContext consumer = new TechniqueContext(spec, 2, manager,
                    Map.of(MiniLmEncoder.class, PeftFixture.encoder()));
            try (TrainableModel model = technique.create(training, new DeterministicRandom(5))) {
                assertThatThrownBy(() -> technique.loadDelta(consumer, DeltaCodec.encode(model.exportTensors())))
                        .isInstanceOf(DeltaRejectedException.class)
                        .hasMessageContaining("carries no source prompts");

                List<NamedTensor> gap = new ArrayList<>(model.exportTensors());
                NamedTensor prompt = sources.prompts().get(0);
                gap.add(new NamedTensor("attempt.source.0", prompt.shape(), prompt.valuesView()));
                gap.add(new NamedTensor("attempt.source.2", prompt.shape(), prompt.valuesView()));
                assertThatThrownBy(() -> technique.loadDelta(consumer, DeltaCodec.encode(gap)))
                        .isInstanceOf(DeltaRejectedException.class)
                        .hasMessageContaining("unexpected tensor 'attempt.source.2'")
                        .hasMessageContaining("attempt.source.1[4, 384]]");

                List<NamedTensor> misshapen = new ArrayList<>(model.exportTensors());
                misshapen.add(new NamedTensor("attempt.source.0", new long[] {3, 384}, new float[3 * 384]));
                assertThatThrownBy(() -> technique.loadDelta(consumer, DeltaCodec.encode(misshapen)))
                        .isInstanceOf(DeltaRejectedException.class)
                        .hasMessageContaining("'attempt.source.0' has shape (3, 384), expected (4, 384)");

                TechniqueSpec threeNamed = spec(Map.of(AttemptTechnique.SOURCE_VERSIONS, "a@v1,b@v1,c@v1"));
                TechniqueContext threeNamedConsumer = new TechniqueContext(threeNamed, 2, manager,
                        Map.of(MiniLmEncoder.class, PeftFixture.encoder()));
                assertThatThrownBy(() -> technique.loadDelta(threeNamedConsumer,
                        model.saveDelta()))
                        .isInstanceOf(DeltaRejectedException.class)
                        .hasMessageContaining("names 3 source prompts")
                        .hasMessageContaining("carries 2");

                Delta good = model.saveDelta();
                byte[] bytes = good.bytes();
                bytes[bytes.length - 5] ^= 0x10;
                assertThatThrownBy(() -> technique.loadDelta(consumer, new Delta(good.format(), bytes, good.sha256())))
                        .isInstanceOf(DeltaRejectedException.class)
                        .hasMessageContaining("digest mismatch");
            }
        }
    }

    /**
     * ATTEMPT reads a delta's layout before it knows what to expect (how many source prompts it
     * carries): hostile deltas there, too, either load or are refused with a DeltaRejectedException,
     * including more source prompts than {@value AttemptTechnique#MAX_SOURCE_PROMPTS} and names outside
     * the {@code attempt.source.N} pattern.
     */
    @Test
    void hostileAttemptDeltasLoadOrAreRefusedNeverAnythingElse() {
        SourcePrompts sources = sources();
        TechniqueSpec spec = spec(Map.of());
        Technique technique = Techniques.byId(AttemptTechnique.ID);
        try (NDManager manager = NDManager.newBaseManager()) {
            TechniqueContext training = new TechniqueContext(spec, 2, manager,
                    Map.of(MiniLmEncoder.class, PeftFixture.encoder(), SourcePrompts.class, sources));
            TechniqueContext consumer = new TechniqueContext(spec, 2, manager,
                    Map.of(MiniLmEncoder.class, PeftFixture.encoder()));
            byte[] valid;
            List<NamedTensor> trained;
            try (TrainableModel model = technique.create(training, new DeterministicRandom(5))) {
                valid = model.saveDelta().bytes();
                trained = model.exportTensors();
            }
            List<HostileDeltas.Case> cases = new ArrayList<>(HostileDeltas.crafted(AttemptTechnique.SOURCE_PREFIX + "0",
                    PROMPT_LENGTH, 384));
            cases.addAll(HostileDeltas.crafted(AttemptTechnique.TARGET_PROMPT, PROMPT_LENGTH, 384));
            List<NamedTensor> tooMany = new ArrayList<>(trained);
            List<NamedTensor> oddName = new ArrayList<>(trained);
            NamedTensor prompt = sources.prompts().get(0);
            for (int i = 0; i <= AttemptTechnique.MAX_SOURCE_PROMPTS; i++) {
                tooMany.add(new NamedTensor(AttemptTechnique.SOURCE_PREFIX + i, prompt.shape(), prompt.valuesView()));
            }
            oddName.add(new NamedTensor(AttemptTechnique.SOURCE_PREFIX + "00", prompt.shape(), prompt.valuesView()));
            cases.add(new HostileDeltas.Case("65 source prompts", DeltaCodec.encode(tooMany).bytes()));
            cases.add(new HostileDeltas.Case("source prompt 'attempt.source.00'", DeltaCodec.encode(oddName).bytes()));
            Random random = new Random(16);
            for (int i = 0; i < 400; i++) {
                cases.add(i % 4 == 0 ? HostileDeltas.mutate(valid, random) : HostileDeltas.mutateHeader(valid, random));
            }
            int loaded = 0;
            int refused = 0;
            for (HostileDeltas.Case input : cases) {
                try (TrainableModel model = technique.loadDelta(consumer, Delta.of(DeltaCodec.NDLIST_V1, input.bytes()))) {
                    assertThat(model.exportTensors()).extracting(NamedTensor::spec)
                            .containsExactlyElementsOf(trained.stream().map(NamedTensor::spec).toList());
                    loaded++;
                } catch (DeltaRejectedException e) {
                    refused++;
                } catch (Throwable t) {
                    throw new AssertionError("loading " + input + " threw " + t + " instead of a DeltaRejectedException", t);
                }
            }
            assertThat(refused).isGreaterThan(cases.size() / 2);
            assertThat(loaded).isPositive();
        }
    }
}
