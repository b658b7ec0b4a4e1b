package dev.streamtune.evaluator.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.evaluator.GateConfig;
import dev.streamtune.evaluator.PrequentialAccuracy;
import dev.streamtune.evaluator.PromotionGate;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.HostileDeltas;
import dev.streamtune.loader.HeadOnlyModelFactory;
import dev.streamtune.loader.LoadedModel;
import dev.streamtune.loader.ModelLoader;
import dev.streamtune.loader.TextEncoderProvider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

@Tag("model")
class EvaluationStateTest {
    private static final String BACKBONE_ID = "test-backbone";
    private static final int DIM = 8;
    private static final Backbone BACKBONE = Backbone.onClasspath(BACKBONE_ID, DIM, 16,
            "test-backbone-tokenizer.json", "test-backbone-weights.bin", EvaluationStateTest.class);
    private static final ModelLoader LOADER = new ModelLoader(BackboneRegistry.of(List.of(() -> BACKBONE)),
            Optional.empty(), TextEncoderProvider.NONE, List.of(new HeadOnlyModelFactory()),
            ModelLoader.DEFAULT_MAX_DELTA_BYTES);
    private static final int MIN_VALIDATION = 150;

    private final MutableClock clock = new MutableClock();
    private final EvaluationState state = new EvaluationState(LOADER,
            new PromotionGate(new GateConfig(0.005, 0.05, MIN_VALIDATION)), new PrequentialAccuracy(100),
            "evaluator", Duration.ofSeconds(5), clock);
    private final Synthetic data = new Synthetic(DIM, 42);
    private int nextId;

    private ModelVersion version(long number, Delta delta) {
        return Synthetic.version("spam", number, BACKBONE_ID, BACKBONE.weightsSha256(), delta);
    }

    private List<Output> feed(Split split, int count, boolean live) {
        List<Output> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int y = i % 2;
            out.addAll(state.onFeature(Synthetic.feature("spam", "e" + nextId++, Synthetic.LABELS.get(y), split,
                    BACKBONE_ID, data.sample(y)), live));
        }
        return out;
    }

    private static List<MetricsEvent> metrics(List<Output> outputs) {
        return outputs.stream().filter(o -> o instanceof Output.Metrics).map(o -> ((Output.Metrics) o).event()).toList();
    }

    private static List<ModelUpdate> updates(List<Output> outputs) {
        return outputs.stream().filter(o -> o instanceof Output.Update).map(o -> ((Output.Update) o).update()).toList();
    }

    @Test
    void aCandidateWaitsForEnoughValidationVectorsAndIsJudgedOnceTheyExist() {
        feed(Split.TEST, 100, false);
        feed(Split.VALIDATION, MIN_VALIDATION - 1, false);
        List<Output> early = state.onCandidate(version(1, data.headAtCosine(0.9)), new CandidatePosition("c", 0, 7));
        assertThat(early).isEmpty();
        assertThat(state.waiting()).containsEntry("spam", List.of(1L));
        assertThat(state.waitingFloors()).containsEntry("c", java.util.Map.of(0, 7L));

        List<Output> released = feed(Split.VALIDATION, 1, false);

        assertThat(state.waiting()).isEmpty();
        assertThat(state.waitingFloors()).isEmpty();
        List<MetricsEvent> events = metrics(released);
        assertThat(events).extracting(MetricsEvent::getSplit).containsExactly(Split.VALIDATION, Split.TEST);
        assertThat(events.get(0).getValues().get("n")).isEqualTo(MIN_VALIDATION);
        assertThat(events.get(1).getValues().get("n")).isEqualTo(100.0);
        assertThat(updates(released)).singleElement().satisfies(u -> {
            assertThat(u.getAction()).isEqualTo(UpdateAction.PROMOTE);
            assertThat(u.getReason()).startsWith("promote: first version");
            assertThat(u.getPreviousVersion()).isNull();
            assertThat(u.getTestMetrics()).containsKey("macro_f1");
        });
        // order on the wire: validation score, the update, then the champion's test score
        assertThat(released.get(1)).isInstanceOf(Output.Update.class);
        assertThat(state.champion("spam")).get().extracting(c -> c.model().version()).isEqualTo(1L);
        // a second copy of the same candidate is not judged again
        assertThat(state.onCandidate(version(1, data.headAtCosine(0.9)), new CandidatePosition("c", 0, 8))).isEmpty();
    }

    @Test
    void aCandidateWithMoreLabelsThanTheLimitIsRefusedAndTheNextOneIsJudged() {
        feed(Split.VALIDATION, MIN_VALIDATION, false);
        ModelVersion wide = ModelVersion.newBuilder(version(1, data.headAtCosine(0.9)))
                .setLabels(java.util.stream.IntStream.range(0, 30_000).mapToObj(i -> "l" + i).toList()).build();
        assertThat(state.onCandidate(wide, new CandidatePosition("c", 0, 0))).isEmpty();
        assertThat(state.champion("spam")).isEmpty();
        assertThat(state.waiting()).as("refused, not parked").isEmpty();
        assertThat(updates(state.onCandidate(version(2, data.headAtCosine(0.9)), new CandidatePosition("c", 0, 1))))
                .hasSize(1);
    }

    @Test
    void heldOutExamplesWithThousandsOfLabelsAreRefusedBeforeAnyRowIsPredicted() {
        // 5,000 validation examples of 5,000 labels: scoring them would take 5,000 x 5,002 probabilities
        EvaluationState bounded = new EvaluationState(LOADER,
                new PromotionGate(new GateConfig(0.005, 0.05, MIN_VALIDATION)), new PrequentialAccuracy(100),
                "evaluator", Duration.ofSeconds(5), clock);
        for (int i = 0; i < 5_000; i++) {
            bounded.onFeature(Synthetic.feature("spam", "w" + i, "label-" + i, Split.VALIDATION, BACKBONE_ID,
                    data.sample(i % 2)), false);
        }
        assertThat(bounded.onCandidate(version(1, data.headAtCosine(0.9)), new CandidatePosition("c", 0, 0))).isEmpty();
        assertThat(bounded.champion("spam")).isEmpty();

        // within a wider limit the same examples are scored (the unknown labels count as wrong)
        EvaluationState wide = new EvaluationState(LOADER,
                new PromotionGate(new GateConfig(0.005, 0.05, MIN_VALIDATION).withMaxLabels(3)), new PrequentialAccuracy(100),
                "evaluator", Duration.ofSeconds(5), clock);
        for (int i = 0; i < MIN_VALIDATION; i++) {
            wide.onFeature(Synthetic.feature("spam", "x" + i, i == 0 ? "eggs" : Synthetic.LABELS.get(i % 2),
                    Split.VALIDATION, BACKBONE_ID, data.sample(i % 2)), false);
        }
        assertThat(metrics(wide.onCandidate(version(1, data.headAtCosine(0.9)), new CandidatePosition("c", 0, 0))))
                .singleElement().satisfies(e -> assertThat(e.getLabels()).hasSize(3));
        EvaluationState narrow = new EvaluationState(LOADER,
                new PromotionGate(new GateConfig(0.005, 0.05, MIN_VALIDATION).withMaxLabels(2)), new PrequentialAccuracy(100),
                "evaluator", Duration.ofSeconds(5), clock);
        for (int i = 0; i < MIN_VALIDATION; i++) {
            narrow.onFeature(Synthetic.feature("spam", "x" + i, i == 0 ? "eggs" : Synthetic.LABELS.get(i % 2),
                    Split.VALIDATION, BACKBONE_ID, data.sample(i % 2)), false);
        }
        assertThat(narrow.onCandidate(version(1, data.headAtCosine(0.9)), new CandidatePosition("c", 0, 0))).isEmpty();
    }

    @Test
    void aChampionUpdateWithMoreLabelsThanTheLimitIsNotLoaded() {
        ModelVersion wide = ModelVersion.newBuilder(version(3, data.headAtCosine(0.9)))
                .setLabels(java.util.stream.IntStream.range(0, 1_001).mapToObj(i -> "l" + i).toList()).build();
        ModelUpdate update = ModelUpdate.newBuilder().setTask("spam").setAction(UpdateAction.PROMOTE).setVersion(3)
                .setReason("forged").setModel(wide).setTimestamp(Instant.EPOCH).build();
        assertThat(state.applyUpdate(update, 0)).isFalse();
        assertThat(state.champion("spam")).isEmpty();
    }

    @Test
    void aShuffledLabelChallengerIsNeverPromotedWhileABetterOneIs() {
        feed(Split.VALIDATION, 400, false);
        feed(Split.TEST, 200, false);
        List<float[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            xs.add(data.sample(i % 2));
            ys.add(i % 2);
        }
        List<Output> first = state.onCandidate(version(1, data.headAtCosine(0.45)), new CandidatePosition("c", 0, 0));
        assertThat(updates(first)).hasSize(1);

        List<Output> shuffled = state.onCandidate(version(2, data.shuffledLabelHead(xs, ys, 9)),
                new CandidatePosition("c", 0, 1));
        assertThat(updates(shuffled)).isEmpty();
        assertThat(metrics(shuffled)).singleElement().satisfies(e -> {
            assertThat(e.getSplit()).isEqualTo(Split.VALIDATION);
            assertThat(e.getVersion()).isEqualTo(2L);
            assertThat(e.getValues().get("accuracy")).isBetween(0.35, 0.65);
        });

        List<Output> good = state.onCandidate(version(3, data.headAtCosine(1.0)), new CandidatePosition("c", 0, 2));
        assertThat(updates(good)).singleElement().satisfies(u -> {
            assertThat(u.getVersion()).isEqualTo(3);
            assertThat(u.getPreviousVersion()).isEqualTo(1L);
            assertThat(u.getReason()).startsWith("promote: macro-F1").contains("McNemar");
            assertThat(u.getValidationMetrics().get("accuracy")).isGreaterThan(0.93);
        });
        assertThat(metrics(good)).extracting(MetricsEvent::getSplit).containsExactly(Split.VALIDATION, Split.TEST);
        assertThat(state.champion("spam")).get().extracting(c -> c.model().version()).isEqualTo(3L);

        // an old version arriving late is skipped outright
        assertThat(state.onCandidate(version(2, data.headAtCosine(1.0)), new CandidatePosition("c", 0, 3))).isEmpty();
    }

    @Test
    void aCorrectionReplacesTheExampleAndAnExampleThatMovesLeavesTheHeldOutSet() {
        state.onFeature(Synthetic.feature("spam", "x", "ham", Split.VALIDATION, BACKBONE_ID, data.sample(0)), false);
        state.onFeature(Synthetic.feature("spam", "y", "ham", Split.VALIDATION, BACKBONE_ID, data.sample(0)), false);
        state.onFeature(Synthetic.feature("spam", "x", "spam", Split.VALIDATION, BACKBONE_ID, data.sample(1)), false);
        List<LabelledVector> validation = state.features().examples("spam", Split.VALIDATION, BACKBONE_ID);
        assertThat(validation).extracting(LabelledVector::exampleId).containsExactly("x", "y");
        assertThat(validation.get(0).label()).isEqualTo("spam");

        state.onFeature(Synthetic.feature("spam", "y", "ham", Split.TEST, BACKBONE_ID, data.sample(0)), false);
        assertThat(state.features().examples("spam", Split.VALIDATION, BACKBONE_ID))
                .extracting(LabelledVector::exampleId).containsExactly("x");
        assertThat(state.features().count("spam", Split.TEST, BACKBONE_ID)).isEqualTo(1);
        assertThat(state.features().count("spam", Split.TEST, "other-backbone")).isZero();
        state.features().remove("x");
        assertThat(state.features().count("spam", Split.VALIDATION, BACKBONE_ID)).isZero();
    }

    @Test
    void liveTrainVectorsArePredictedByTheChampionFirstAndPublishedPeriodically() {
        feed(Split.VALIDATION, MIN_VALIDATION, false);
        feed(Split.TRAIN, 50, true); // no champion yet: nothing to predict with
        state.onCandidate(version(1, data.headAtCosine(0.45)), new CandidatePosition("c", 0, 0));
        LoadedModel champion = state.champion("spam").orElseThrow().model();

        feed(Split.TRAIN, 30, false); // replayed history: not counted
        int expectedCorrect = 0;
        for (int i = 0; i < 200; i++) {
            int y = i % 2;
            FeatureVector train = Synthetic.feature("spam", "t" + i, Synthetic.LABELS.get(y), Split.TRAIN, BACKBONE_ID,
                    data.sample(y));
            float[] x = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                x[d] = train.getVector().get(d);
            }
            expectedCorrect += champion.predictFeatures(x).label().equals(train.getLabel()) ? 1 : 0;
            state.onFeature(train, true);
        }
        assertThat(state.prequentialDue()).as("not before the interval").isEmpty();
        clock.advance(Duration.ofSeconds(5));
        List<MetricsEvent> events = metrics(state.prequentialDue());
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.getKind()).isEqualTo(MetricKind.PREQUENTIAL);
            assertThat(e.getSplit()).isEqualTo(Split.TRAIN);
            assertThat(e.getVersion()).isEqualTo(1L);
            assertThat(e.getValues().get("n")).isEqualTo(200.0);
        });
        assertThat(events.get(0).getValues().get(dev.streamtune.schemas.MetricNames.PREQUENTIAL_ACCURACY)).isEqualTo(expectedCorrect / 200.0);
        // a weak champion (about 82 % expected) really was asked: neither all right nor all wrong
        assertThat(expectedCorrect).isBetween(120, 190);
        clock.advance(Duration.ofSeconds(5));
        assertThat(state.prequentialDue()).as("nothing new counted").isEmpty();
    }

    @Test
    void updatesFromTheTopicMoveTheChampionButOlderNewsDoesNot() {
        ModelVersion v1 = version(1, data.headAtCosine(0.5));
        ModelVersion v2 = version(2, data.headAtCosine(0.9));
        assertThat(state.applyUpdate(update(v2, UpdateAction.PROMOTE), 5)).isTrue();
        assertThat(state.applyUpdate(update(v1, UpdateAction.PROMOTE), 3)).as("older offset").isFalse();
        assertThat(state.champion("spam")).get().extracting(c -> c.model().version()).isEqualTo(2L);

        assertThat(state.applyUpdate(update(v1, UpdateAction.ROLLBACK), 6)).isTrue();
        assertThat(state.champion("spam")).get().extracting(c -> c.model().version()).isEqualTo(1L);

        // a champion we promoted ourselves: once its offset is confirmed, reading it back changes nothing
        feed(Split.VALIDATION, 300, false);
        List<Output> promoted = state.onCandidate(version(3, data.headAtCosine(1.0)), new CandidatePosition("c", 0, 0));
        ModelUpdate ours = updates(promoted).get(0);
        state.confirmPublished("spam", 3, 9);
        assertThat(state.applyUpdate(ours, 9)).isFalse();
        assertThat(state.applyUpdate(update(v2, UpdateAction.ROLLBACK), 8)).as("written before ours").isFalse();
        assertThat(state.champion("spam")).get().extracting(c -> c.model().version()).isEqualTo(3L);

        ModelVersion tampered = version(4, data.headAtCosine(1.0));
        tampered.getDelta().setSha256("00".repeat(32));
        assertThat(state.applyUpdate(update(tampered, UpdateAction.PROMOTE), 10)).as("unloadable").isFalse();
        assertThat(state.champion("spam")).get().extracting(c -> c.model().version()).isEqualTo(3L);
    }

    /**
     * A candidate whose delta claims a 2^31-element tensor (with its correct digest) is refused by the
     * bounded decoder: nothing is published, it is neither champion nor waiting, so its offset is not
     * held back and the next transaction commits past it, and a later good candidate is judged as usual.
     * The same delta arriving as an update leaves the champion in place.
     */
    @Test
    void aCandidateWithAHostileDeltaIsRefusedAndSkippedNotWaitedOn() {
        feed(Split.VALIDATION, 300, false);
        feed(Split.TEST, 100, false);
        List<ModelVersion> hostile = new ArrayList<>();
        hostile.add(version(1, Delta.of(DeltaCodec.NDLIST_V1,
                HostileDeltas.claimsTwoToThe31Elements(dev.streamtune.model.head.HeadNetwork.OUTPUT_WEIGHT))));
        for (HostileDeltas.Case crafted : HostileDeltas.crafted(dev.streamtune.model.head.HeadNetwork.OUTPUT_WEIGHT,
                2, DIM)) {
            hostile.add(version(1, Delta.of(DeltaCodec.NDLIST_V1, crafted.bytes())));
        }
        long offset = 0;
        for (ModelVersion candidate : hostile) {
            assertThat(state.onCandidate(candidate, new CandidatePosition("c", 0, offset++))).isEmpty();
            assertThat(state.waiting()).isEmpty();
            assertThat(state.waitingFloors()).isEmpty();
            assertThat(state.champion("spam")).isEmpty();
        }
        List<Output> good = state.onCandidate(version(2, data.headAtCosine(0.9)), new CandidatePosition("c", 0, offset));
        assertThat(updates(good)).singleElement().extracting(ModelUpdate::getVersion).isEqualTo(2L);

        for (ModelVersion model : hostile) {
            ModelVersion later = ModelVersion.newBuilder(model).setVersion(3).build();
            assertThat(state.applyUpdate(update(later, UpdateAction.PROMOTE), 20 + offset++)).isFalse();
        }
        assertThat(state.champion("spam")).get().extracting(c -> c.model().version()).isEqualTo(2L);
    }

    private ModelUpdate update(ModelVersion model, UpdateAction action) {
        return ModelUpdate.newBuilder().setTask("spam").setAction(action).setVersion(model.getVersion())
                .setReason(action.name().toLowerCase()).setModel(model).setTimestamp(clock.instant()).build();
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-26T10:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
