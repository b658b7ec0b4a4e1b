package dev.streamtune.evaluator.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Split;
import dev.streamtune.evaluator.GateConfig;
import dev.streamtune.evaluator.PrequentialAccuracy;
import dev.streamtune.evaluator.PromotionGate;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.peft.PromptTuningTechnique;
import dev.streamtune.schemas.MetricNames;
import dev.streamtune.loader.HeadOnlyModelFactory;
import dev.streamtune.loader.LoadedModel;
import dev.streamtune.loader.ModelArtifact;
import dev.streamtune.loader.ModelFactory;
import dev.streamtune.loader.ModelLoader;
import dev.streamtune.loader.Prediction;
import dev.streamtune.loader.TextEncoderProvider;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * A head-only champion and a text challenger (and the other way round) are paired on the example ids present in both
 * the vector store and the text store; a text champion's prequential accuracy comes from train texts. The text model
 * is a stand-in loaded through the real {@link ModelLoader} under the real technique id {@code prompt}: it calls an
 * email spam when it holds the word "prize", which the texts below make exactly right.
 */
@Tag("model")
class MixedTechniqueStateTest {
    private static final String BACKBONE_ID = "test-backbone";
    private static final int DIM = 8;
    private static final Backbone BACKBONE = Backbone.onClasspath(BACKBONE_ID, DIM, 16,
            "test-backbone-tokenizer.json", "test-backbone-weights.bin", MixedTechniqueStateTest.class);
    private static final int MIN_VALIDATION = 150;

    private final List<List<String>> textBatches = new ArrayList<>();
    private final ModelLoader loader = new ModelLoader(BackboneRegistry.of(List.of(() -> BACKBONE)), Optional.empty(),
            TextEncoderProvider.NONE, List.of(new HeadOnlyModelFactory(), new KeywordFactory()),
            ModelLoader.DEFAULT_MAX_DELTA_BYTES);
    private final EvaluationState state = new EvaluationState(loader,
            new PromotionGate(new GateConfig(0.005, 0.05, MIN_VALIDATION)), new PrequentialAccuracy(100),
            "evaluator", Duration.ZERO, Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC));
    private final Synthetic data = new Synthetic(DIM, 42);

    @Test
    void mixedTechniquesArePairedOnTheIdsBothStoresHold() {
        // vectors for v0..v199, texts for v40..v239: 160 examples carry both
        for (int i = 0; i < 200; i++) {
            state.onFeature(Synthetic.feature("spam", "v" + i, label(i), Split.VALIDATION, BACKBONE_ID,
                    data.sample(i % 2)), false);
        }
        for (int i = 40; i < 240; i++) {
            state.onExample(example("v" + i, i), Split.VALIDATION, false);
        }
        for (int i = 0; i < 50; i++) {
            state.onExample(example("t" + i, i), Split.TEST, false);
        }

        List<Output> first = state.onCandidate(headOnly(1, data.headAtCosine(0.45)), new CandidatePosition("c", 0, 0));
        assertThat(evaluation(first, Split.VALIDATION).getValues().get("n")).as("head-only alone: its vectors")
                .isEqualTo(200.0);
        assertThat(updates(first)).hasSize(1);
        assertThat(evaluation(first, Split.TEST)).as("no test vectors, so no test score").isNull();

        List<Output> text = state.onCandidate(keyword(2), new CandidatePosition("c", 0, 1));
        MetricsEvent paired = evaluation(text, Split.VALIDATION);
        assertThat(paired.getValues().get("n")).as("ids with a vector and a text").isEqualTo(160.0);
        assertThat(paired.getValues().get("accuracy")).isEqualTo(1.0);
        assertThat(updates(text)).singleElement().satisfies(u -> {
            assertThat(u.getPreviousVersion()).isEqualTo(1L);
            assertThat(u.getReason()).startsWith("promote: macro-F1").contains("McNemar").contains("on 160 validation");
        });
        assertThat(evaluation(text, Split.TEST).getValues().get("n")).as("the text champion's test texts")
                .isEqualTo(50.0);
        // the 160 paired validation texts and the 50 test texts went through predictTexts in one batch each
        assertThat(textBatches).extracting(List::size).containsExactly(160, 50);

        // live train texts are the text champion's prequential evidence, predicted in one batch per round
        for (int i = 0; i < 30; i++) {
            state.onExample(example("n" + i, i), Split.TRAIN, true);
        }
        state.onExample(example("old", 1), Split.TRAIN, false);
        List<Output> due = state.prequentialDue();
        assertThat(textBatches.get(textBatches.size() - 1)).hasSize(30);
        MetricsEvent prequential = metrics(due).stream().filter(e -> e.getKind() == MetricKind.PREQUENTIAL)
                .findFirst().orElseThrow();
        assertThat(prequential.getVersion()).isEqualTo(2L);
        assertThat(prequential.getValues().get("n")).isEqualTo(30.0);
        assertThat(prequential.getValues().get(MetricNames.PREQUENTIAL_ACCURACY)).isEqualTo(1.0);
        // a train example that moved out of validation leaves the held-out texts
        state.onExample(example("v239", 239), Split.TRAIN, false);
        assertThat(state.texts().count("spam", Split.VALIDATION)).isEqualTo(199);

        // a head-only challenger against the text champion: the same shared ids, and it cannot beat a perfect one
        List<Output> back = state.onCandidate(headOnly(3, data.headAtCosine(1.0)), new CandidatePosition("c", 0, 2));
        assertThat(evaluation(back, Split.VALIDATION).getValues().get("n")).isEqualTo(160.0);
        assertThat(updates(back)).isEmpty();
        assertThat(state.champion("spam")).get().extracting(c -> c.model().version()).isEqualTo(2L);
    }

    @Test
    void aTextCandidateWaitsForValidationTextsNotVectors() {
        for (int i = 0; i < 200; i++) {
            state.onFeature(Synthetic.feature("spam", "v" + i, label(i), Split.VALIDATION, BACKBONE_ID,
                    data.sample(i % 2)), false);
        }
        assertThat(state.onCandidate(keyword(1), new CandidatePosition("c", 0, 4))).isEmpty();
        assertThat(state.waiting()).containsEntry("spam", List.of(1L));
        List<Output> released = new ArrayList<>();
        for (int i = 0; i < MIN_VALIDATION; i++) {
            released.addAll(state.onExample(example("v" + i, i), Split.VALIDATION, false));
        }
        assertThat(state.waiting()).isEmpty();
        assertThat(evaluation(released, Split.VALIDATION).getValues().get("n")).isEqualTo((double) MIN_VALIDATION);
        assertThat(updates(released)).hasSize(1);
        // an example without a text is skipped, not filed
        assertThat(state.onExample(LabelledExample.newBuilder().setId("z").setTask("spam").setLabel("ham").build(),
                Split.VALIDATION, false)).isEmpty();
        assertThat(state.texts().count("spam", Split.VALIDATION)).isEqualTo(MIN_VALIDATION);
    }

    private static String label(int i) {
        return Synthetic.LABELS.get(i % 2);
    }

    private static LabelledExample example(String id, int i) {
        String text = i % 2 == 1 ? "you won a prize, reply " + i : "meeting notes number " + i;
        return LabelledExample.newBuilder().setId(id).setTask("spam").setText(text).setLabel(label(i)).build();
    }

    private ModelVersion headOnly(long number, Delta delta) {
        return Synthetic.version("spam", number, BACKBONE_ID, BACKBONE.weightsSha256(), delta);
    }

    private ModelVersion keyword(long number) {
        Delta delta = Delta.of("keyword", ("prize@" + number).getBytes(StandardCharsets.UTF_8));
        return ModelVersion.newBuilder().setTask("spam").setVersion(number).setTechnique(PromptTuningTechnique.ID)
                .setHyperparameters(Map.of("head", "linear"))
                .setBase(new BaseModel(BACKBONE_ID, BACKBONE.weightsSha256()))
                .setLabels(Synthetic.LABELS).setDelta(dev.streamtune.avro.Delta.newBuilder().setFormat(delta.format())
                        .setSha256(delta.sha256()).setSizeBytes(delta.size()).setInline(ByteBuffer.wrap(delta.bytes()))
                        .build())
                .setExamplesSeen(1000L).setCreatedAt(Instant.parse("2026-11-26T10:00:00Z")).build();
    }

    private static List<MetricsEvent> metrics(List<Output> outputs) {
        return outputs.stream().filter(o -> o instanceof Output.Metrics).map(o -> ((Output.Metrics) o).event())
                .toList();
    }

    private static MetricsEvent evaluation(List<Output> outputs, Split split) {
        return metrics(outputs).stream().filter(e -> e.getKind() == MetricKind.EVALUATION && e.getSplit() == split)
                .findFirst().orElse(null);
    }

    private static List<ModelUpdate> updates(List<Output> outputs) {
        return outputs.stream().filter(o -> o instanceof Output.Update).map(o -> ((Output.Update) o).update()).toList();
    }

    /** Loads "prompt" versions as a model that predicts from text only, recording each batch it is given. */
    private final class KeywordFactory implements ModelFactory {
        @Override
        public String techniqueId() {
            return PromptTuningTechnique.ID;
        }

        @Override
        public LoadedModel load(ModelArtifact artifact, TextEncoderProvider encoders) {
            return new LoadedModel() {
                public String task() {
                    return artifact.task();
                }

                public long version() {
                    return artifact.version();
                }

                public List<String> labels() {
                    return artifact.labels();
                }

                public String backboneId() {
                    return artifact.backbone().id();
                }

                public String techniqueId() {
                    return PromptTuningTechnique.ID;
                }

                public String deltaSha256() {
                    return artifact.delta().sha256();
                }

                public boolean acceptsPooledFeatures() {
                    return false;
                }

                public Prediction predictFeatures(float[] pooledEmbedding) {
                    throw new UnsupportedOperationException("text only");
                }

                public Prediction predictText(String text) {
                    boolean spam = text.contains("prize");
                    return Prediction.of(labels(), new float[] {spam ? 0.1f : 0.9f, spam ? 0.9f : 0.1f}, version());
                }

                public List<Prediction> predictTexts(List<String> texts) {
                    textBatches.add(List.copyOf(texts));
                    return texts.stream().map(this::predictText).toList();
                }
            };
        }
    }
}
