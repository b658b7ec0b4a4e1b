package dev.streamtune.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.streamtune.avro.ModelVersion;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.DeltaRejectedException;
import dev.streamtune.model.delta.HostileDeltas;
import dev.streamtune.model.head.HeadNetwork;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * Hostile deltas at {@link ModelLoader#load}, each inline with its correct sha256 and size so the
 * digest and size checks pass and the decoder is reached: random bytes, mutations of a valid head
 * delta, and crafted headers with huge counts, lengths and dimensions. Every version either loads or
 * is refused with a {@link ModelRejectedException} ({@link RejectionReason#UNREADABLE_DELTA}, caused
 * by a {@link DeltaRejectedException}); nothing else escapes, never an {@link Error}, and no load
 * allocates more than a small multiple of the delta (HotSpot's per-thread allocation counter).
 */
@Tag("model")
class ModelLoaderHostileDeltaTest {
    private static final int CASES = 4_000;
    private static final long FIXED_ALLOCATION = 512 * 1024;
    private static final int ALLOCATION_PER_BYTE = 16;
    private static final Delta LINEAR = TestModels.linearDelta(2, 7);

    private final ModelLoader loader = TestModels.loader(TextEncoderProvider.NONE);
    private long largestAllocation;

    private enum Outcome { LOADED, REFUSED }

    private static ModelVersion versionWith(byte[] bytes, Map<String, String> hyperparameters) {
        Delta delta = Delta.of(DeltaCodec.NDLIST_V1, bytes);
        return TestModels.version("spam", 2, delta).setHyperparameters(Map.copyOf(hyperparameters)).build();
    }

    /** Class loading and linking each refusal message happen once per JVM; they are not what is measured. */
    @BeforeAll
    static void warmUp() {
        ModelLoader warm = TestModels.loader(TextEncoderProvider.NONE);
        Random random = new Random(2);
        List<byte[]> inputs = new ArrayList<>();
        HostileDeltas.crafted(HeadNetwork.OUTPUT_WEIGHT, 2, TestModels.DIM).forEach(c -> inputs.add(c.bytes()));
        for (int i = 0; i < 2_000; i++) {
            inputs.add(HostileDeltas.mutate(LINEAR.bytes(), random).bytes());
            inputs.add(HostileDeltas.randomBytes(random, 256));
        }
        inputs.add(LINEAR.bytes());
        for (byte[] input : inputs) {
            try {
                warm.load(versionWith(input, Map.of("head", "linear")));
            } catch (ModelRejectedException e) {
                // warming up the refusals is the point
            }
        }
    }

    private Outcome loadOnce(HostileDeltas.Case input, Map<String, String> hyperparameters) {
        ModelVersion version = versionWith(input.bytes(), hyperparameters);
        LoadedModel model = null;
        ModelRejectedException refusal = null;
        long before = HostileDeltas.allocatedBytes();
        try {
            model = loader.load(version);
        } catch (ModelRejectedException e) {
            refusal = e;
        } catch (Throwable t) {
            fail("loading " + input + " threw " + t + " instead of a ModelRejectedException", t);
        }
        long allocated = HostileDeltas.allocatedBytes() - before;
        largestAllocation = Math.max(largestAllocation, allocated);
        assertThat(allocated).as("bytes allocated loading %s", input)
                .isLessThan(FIXED_ALLOCATION + (long) ALLOCATION_PER_BYTE * input.bytes().length);
        if (refusal != null) {
            assertThat(refusal.reason()).as("reason refusing %s: %s", input, refusal.getMessage())
                    .isEqualTo(RejectionReason.UNREADABLE_DELTA);
            assertThat(refusal.getCause()).as("cause refusing %s", input).isInstanceOf(DeltaRejectedException.class);
            return Outcome.REFUSED;
        }
        assertThat(model.predictFeatures(TestModels.features(new Random(1))).probabilities()).hasSize(2);
        return Outcome.LOADED;
    }

    @Test
    void hostileInlineDeltasLoadOrAreRefusedAsUnreadableNeverAnythingElse() {
        Random random = new Random(20_261_126L);
        Map<String, String> linear = Map.of("head", "linear");
        int loaded = 0;
        int refused = 0;
        assertThat(loadOnce(new HostileDeltas.Case("valid", LINEAR.bytes()), linear)).isEqualTo(Outcome.LOADED);
        for (int i = 0; i < CASES; i++) {
            HostileDeltas.Case input = switch (i % 4) {
                case 0 -> new HostileDeltas.Case("random bytes #" + i, HostileDeltas.randomBytes(random, 256));
                case 1 -> HostileDeltas.mutateHeader(LINEAR.bytes(), random);
                default -> HostileDeltas.mutate(LINEAR.bytes(), random);
            };
            if (loadOnce(input, linear) == Outcome.LOADED) {
                loaded++;
            } else {
                refused++;
            }
        }
        for (HostileDeltas.Case crafted : HostileDeltas.crafted(HeadNetwork.OUTPUT_WEIGHT, 2, TestModels.DIM)) {
            assertThat(loadOnce(crafted, linear)).as("%s", crafted).isEqualTo(Outcome.REFUSED);
        }
        // a version that declares an MLP head expects other tensors: the linear delta is refused, not misread
        assertThat(loadOnce(new HostileDeltas.Case("linear delta under an mlp head", LINEAR.bytes()),
                Map.of("head", "mlp", "hidden", "16"))).isEqualTo(Outcome.REFUSED);
        System.out.println("loader property test: " + loaded + " loaded, " + refused + " refused; largest allocation "
                + largestAllocation + " bytes");
        // a head delta is mostly header (72 of 214 bytes are data), so most mutations are refused
        assertThat(loaded).isGreaterThan(CASES / 20);
        assertThat(refused).isGreaterThan(CASES / 2);
    }

    /** The 40-odd bytes that used to make the loader allocate without bound, in a version that passes the digest check. */
    @Test
    void aDeltaClaimingTwoToThe31ElementsIsRefusedBeforeAllocating() {
        byte[] crafted = HostileDeltas.claimsTwoToThe31Elements(HeadNetwork.OUTPUT_WEIGHT);
        ModelVersion version = versionWith(crafted, Map.of("head", "linear"));
        assertThat(version.getDelta().getInline()).isEqualTo(ByteBuffer.wrap(crafted));
        Runtime runtime = Runtime.getRuntime();
        long usedBefore = runtime.totalMemory() - runtime.freeMemory();
        long before = HostileDeltas.allocatedBytes();
        try {
            loader.load(version);
            fail("loaded a delta that carries none of its data");
        } catch (ModelRejectedException e) {
            assertThat(e.reason()).isEqualTo(RejectionReason.UNREADABLE_DELTA);
            assertThat(e.getMessage()).contains("'output.weight' has shape (2147483648), expected (2, 8)");
        }
        assertThat(HostileDeltas.allocatedBytes() - before).isLessThan(FIXED_ALLOCATION);
        assertThat(runtime.totalMemory() - runtime.freeMemory() - usedBefore).isLessThan(64L << 20);
    }
}
