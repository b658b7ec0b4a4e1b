package dev.streamtune.subscriber;

import dev.streamtune.loader.LoadedModel;
import dev.streamtune.loader.ModelRejectedException;
import dev.streamtune.loader.Prediction;
import dev.streamtune.loader.RejectionReason;
import dev.streamtune.loader.TestModels;
import dev.streamtune.loader.TextEncoderProvider;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.UpdateAction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

@Tag("model")
class ServingModelsTest {
    private static final float[] INPUT = TestModels.features(new Random(3));
    private final CountDownLatch slowCallEntered = new CountDownLatch(1);
    private final CountDownLatch releaseSlowCall = new CountDownLatch(1);
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    /** The encoder holds a call whose text is "slow" until released, so a swap can happen while it is in flight. */
    private final ServingModels serving = new ServingModels(TestModels.loader(TextEncoderProvider.perText(text -> {
        if (text.equals("slow")) {
            slowCallEntered.countDown();
            try {
                releaseSlowCall.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return INPUT;
    })), TestModels.EVALUATOR.asTrusted());
    private final List<ModelSwap> swaps = new CopyOnWriteArrayList<>();
    private final List<ModelRejectedException> rejections = new CopyOnWriteArrayList<>();

    ServingModelsTest() {
        serving.onUpdate(swaps::add);
        serving.onRejected(rejections::add);
    }

    @AfterEach
    void stop() {
        releaseSlowCall.countDown();
        pool.shutdownNow();
    }

    private static final Instant T = Instant.parse("2026-11-26T10:00:00Z");

    private static ModelUpdate update(ModelVersion version, UpdateAction action, String reason) {
        return TestModels.EVALUATOR.sign(unsigned(version, action, reason, T));
    }

    private static ModelUpdate unsigned(ModelVersion version, UpdateAction action, String reason, Instant at) {
        return ModelUpdate.newBuilder().setTask(version.getTask()).setAction(action).setVersion(version.getVersion())
                .setReason(reason).setModel(version).setTimestamp(at).build();
    }

    private static ModelVersion version(long number) {
        return TestModels.version("spam", number, TestModels.linearDelta(2, number)).build();
    }

    @Test
    void aCallInFlightFinishesOnTheOldModelWhileNewCallsGetTheNewOne() throws Exception {
        assertThat(serving.apply(update(version(1), UpdateAction.PROMOTE, "first"))).isTrue();
        Future<Prediction> inFlight = pool.submit(() -> serving.predict("spam", "slow"));
        assertThat(slowCallEntered.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(serving.apply(update(version(2), UpdateAction.PROMOTE, "better"))).isTrue();
        Prediction after = serving.predict("spam", "fast");
        releaseSlowCall.countDown();
        Prediction before = inFlight.get(10, TimeUnit.SECONDS);

        assertThat(before.version()).isEqualTo(1);
        assertThat(after.version()).isEqualTo(2);
        // the two versions have different weights, so the same input scores differently: each call really used its own
        assertThat(before.probabilities()).isNotEqualTo(after.probabilities());
        assertThat(swaps).extracting(ModelSwap::version).containsExactly(1L, 2L);
        assertThat(swaps.get(1).previousVersion()).isEqualTo(1L);
        assertThat(swaps.get(1).reason()).isEqualTo("better");
    }

    @Test
    void aRefusedUpdateLeavesThePreviousModelServing() {
        serving.apply(update(version(1), UpdateAction.PROMOTE, "first"));
        Prediction beforeRefusal = serving.predict("spam", "hello");

        assertThat(serving.apply(update(TestModels.tampered(version(2)), UpdateAction.PROMOTE, "tampered"))).isFalse();
        ModelVersion unknownBackbone = ModelVersion.newBuilder(version(3)).build();
        unknownBackbone.getBase().setBackbone("no-such-backbone");
        assertThat(serving.apply(update(unknownBackbone, UpdateAction.PROMOTE, "unknown backbone"))).isFalse();

        assertThat(serving.current("spam")).get().extracting(LoadedModel::version).isEqualTo(1L);
        assertThat(serving.predict("spam", "hello")).isEqualTo(beforeRefusal);
        assertThat(rejections).extracting(ModelRejectedException::reason)
                .containsExactly(RejectionReason.DIGEST_MISMATCH, RejectionReason.UNKNOWN_BACKBONE);
        assertThat(rejections).extracting(ModelRejectedException::version).containsExactly(2L, 3L);
        assertThat(swaps).hasSize(1);
    }

    @Test
    void aLateStarterTakesTheNewestUpdateThatLoads() {
        List<ModelUpdate> newestFirst = List.of(update(TestModels.tampered(version(3)), UpdateAction.PROMOTE, "bad"),
                update(version(1), UpdateAction.ROLLBACK, "rollback: v2 misbehaved"),
                update(version(2), UpdateAction.PROMOTE, "promote"));
        assertThat(serving.applyNewestLoadable(newestFirst)).get().extracting(ModelUpdate::getAction)
                .isEqualTo(UpdateAction.ROLLBACK);
        assertThat(serving.current("spam")).get().extracting(LoadedModel::version).isEqualTo(1L);
        assertThat(rejections).hasSize(1);
        assertThat(swaps).singleElement().extracting(ModelSwap::action).isEqualTo(UpdateAction.ROLLBACK);
    }

    @Test
    void reapplyingTheServingVersionIsANoOpAndAnUpdateMustMatchItsModel() {
        ModelVersion v1 = version(1);
        serving.apply(update(v1, UpdateAction.PROMOTE, "first"));
        assertThat(serving.apply(update(v1, UpdateAction.PROMOTE, "again"))).isTrue();
        assertThat(swaps).hasSize(1);

        ModelUpdate mismatched = unsigned(version(2), UpdateAction.PROMOTE, "x", T);
        mismatched.setVersion(5);
        mismatched = TestModels.EVALUATOR.sign(mismatched);
        assertThat(serving.apply(mismatched)).isFalse();
        assertThat(rejections).singleElement().extracting(ModelRejectedException::reason)
                .isEqualTo(RejectionReason.INVALID_METADATA);
    }

    @Test
    void anUndecodableEventWithoutATaskIsReportedToListeners() {
        serving.reject(new ModelRejectedException(RejectionReason.UNDECODABLE_EVENT, null, 0, "not a ModelUpdate"));
        assertThat(rejections).singleElement().extracting(ModelRejectedException::reason)
                .isEqualTo(RejectionReason.UNDECODABLE_EVENT);
    }

    @Test
    void predictingATaskWithNoModelSaysWhichTasksServe() {
        serving.apply(update(version(1), UpdateAction.PROMOTE, "first"));
        assertThatThrownBy(() -> serving.predict("sentiment", "x")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'sentiment'").hasMessageContaining("[spam]");
    }

    @Test
    void concurrentReadersAlwaysSeeACompleteVersion() throws Exception {
        List<ModelVersion> versions = new ArrayList<>();
        List<Prediction> expected = new ArrayList<>();
        ServingModels reference = new ServingModels(TestModels.loader(TextEncoderProvider.perText(text -> INPUT)),
                TestModels.EVALUATOR.asTrusted());
        for (long v = 1; v <= 20; v++) {
            versions.add(version(v));
            reference.apply(update(versions.get((int) v - 1), UpdateAction.PROMOTE, "v" + v));
            expected.add(reference.predict("spam", "x"));
        }
        serving.apply(update(versions.get(0), UpdateAction.PROMOTE, "v1"));
        AtomicBoolean done = new AtomicBoolean();
        List<Future<Integer>> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            readers.add(pool.submit(() -> {
                int checked = 0;
                while (!done.get()) {
                    Prediction p = serving.predict("spam", "x");
                    // the probabilities must be exactly those of the version the prediction names
                    assertThat(p).isEqualTo(expected.get((int) p.version() - 1));
                    checked++;
                }
                return checked;
            }));
        }
        for (ModelVersion v : versions.subList(1, versions.size())) {
            serving.apply(update(v, UpdateAction.PROMOTE, "next"));
        }
        done.set(true);
        for (Future<Integer> reader : readers) {
            assertThat(reader.get(10, TimeUnit.SECONDS)).isPositive();
        }
        assertThat(serving.current("spam")).get().extracting(LoadedModel::version).isEqualTo(20L);
    }

    @Test
    void onlyUpdatesSignedByATrustedEvaluatorServeAndTheChampionKeepsServingThroughForgeries() {
        serving.apply(update(version(1), UpdateAction.PROMOTE, "first"));
        Prediction champion = serving.predict("spam", "hello");

        // unsigned; signed by a key nobody trusts; a signed update whose delta was swapped for a candidate the
        // evaluator never promoted (with that delta's own, correct sha256); a replayed older promotion
        ModelUpdate forgedUnsigned = unsigned(version(1004), UpdateAction.PROMOTE, "forged", T.plusSeconds(9));
        ModelUpdate byStranger = dev.streamtune.schemas.signing.SigningKey.generate().sign(forgedUnsigned);
        ModelUpdate genuine2 = TestModels.EVALUATOR.sign(unsigned(version(2), UpdateAction.PROMOTE, "two",
                T.plusSeconds(10)));
        ModelVersion neverPromoted = version(77);
        ModelUpdate swappedDelta = ModelUpdate.newBuilder(genuine2).setModel(ModelVersion.newBuilder(genuine2.getModel())
                .setDelta(neverPromoted.getDelta()).build()).build();
        assertThat(serving.apply(forgedUnsigned)).isFalse();
        assertThat(serving.apply(byStranger)).isFalse();
        assertThat(serving.apply(swappedDelta)).isFalse();
        assertThat(serving.predict("spam", "hello")).isEqualTo(champion);

        assertThat(serving.apply(genuine2)).isTrue();
        ModelUpdate replayed = update(version(1), UpdateAction.PROMOTE, "first");
        assertThat(serving.apply(replayed)).isFalse();
        assertThat(serving.current("spam")).get().extracting(LoadedModel::version).isEqualTo(2L);
        assertThat(rejections).extracting(ModelRejectedException::reason).containsExactly(RejectionReason.UNSIGNED,
                RejectionReason.UNTRUSTED_KEY, RejectionReason.BAD_SIGNATURE, RejectionReason.REPLAYED);
        assertThat(rejections.get(1)).hasMessageContaining(byStranger.getSignature().getKeyId());
        assertThat(serving.rejections()).containsEntry(RejectionReason.UNSIGNED, 1L)
                .containsEntry(RejectionReason.BAD_SIGNATURE, 1L).doesNotContainKey(RejectionReason.DIGEST_MISMATCH);
    }

    @Test
    void aRotatedEvaluatorKeyServesOnceTrustedBesideTheOldOne() {
        dev.streamtune.schemas.signing.SigningKey rotated = dev.streamtune.schemas.signing.SigningKey.generate();
        ServingModels both = new ServingModels(TestModels.loader(TextEncoderProvider.perText(text -> INPUT)),
                TestModels.EVALUATOR.asTrusted().and(rotated.asTrusted()));
        assertThat(both.apply(update(version(1), UpdateAction.PROMOTE, "old key"))).isTrue();
        assertThat(both.apply(rotated.sign(unsigned(version(2), UpdateAction.PROMOTE, "new key", T.plusSeconds(1)))))
                .isTrue();
        assertThat(both.current("spam")).get().extracting(LoadedModel::version).isEqualTo(2L);
        // the process that trusts only the old key refuses the new key's update
        assertThat(serving.apply(rotated.sign(unsigned(version(2), UpdateAction.PROMOTE, "new key", T)))).isFalse();
        assertThat(rejections).singleElement().extracting(ModelRejectedException::reason)
                .isEqualTo(RejectionReason.UNTRUSTED_KEY);
    }
}
