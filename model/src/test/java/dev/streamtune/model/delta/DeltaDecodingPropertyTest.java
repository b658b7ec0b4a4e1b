package dev.streamtune.model.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.streamtune.model.head.HeadSpec;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * Hostile bytes at {@link DeltaCodec#decode}: random bytes, mutated valid deltas and crafted headers
 * with huge counts, lengths and dimensions (in this format and in those DJL's decoder picked by
 * magic). Every input either decodes into exactly the expected tensors or is refused with a
 * {@link DeltaRejectedException}; nothing else escapes, never an {@link Error}, and no input makes the
 * decoder allocate more than a small multiple of its own size (HotSpot's per-thread allocation
 * counter, so the bound is exact rather than GC-dependent).
 */
@Tag("model")
class DeltaDecodingPropertyTest {
    private static final long SEED = 20_261_126L;
    private static final int CASES = 6_000;
    /**
     * Fixed cost of one decode (digest, strings, the refusal and its stack trace, and the first run of
     * a message's string concatenation, which links it), above the bytes' own multiple.
     */
    private static final long FIXED_ALLOCATION = 256 * 1024;
    private static final int ALLOCATION_PER_BYTE = 8;

    private static final List<List<TensorSpec>> SPECS = List.of(HeadSpec.linear(8).tensorSpecs(2),
            HeadSpec.mlp(8, 16, 0.1f).tensorSpecs(3));

    private static byte[] valid(List<TensorSpec> specs, Random random) {
        List<NamedTensor> tensors = new ArrayList<>();
        for (TensorSpec spec : specs) {
            float[] values = new float[(int) spec.elementCount()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            tensors.add(new NamedTensor(spec.name(), spec.shape(), values));
        }
        return DeltaCodec.encode(tensors).bytes();
    }

    private static long largestAllocation;

    /** Class loading and the linking of each refusal's message allocate once per JVM; not what is measured. */
    @org.junit.jupiter.api.BeforeAll
    static void warmUp() {
        Random random = new Random(1);
        for (List<TensorSpec> specs : SPECS) {
            byte[] valid = valid(specs, random);
            List<byte[]> inputs = new ArrayList<>(List.of(valid));
            HostileDeltas.crafted(specs.get(0).name(), specs.get(0).shape()).forEach(c -> inputs.add(c.bytes()));
            for (int i = 0; i < 2_000; i++) {
                inputs.add(HostileDeltas.mutate(valid, random).bytes());
                inputs.add(HostileDeltas.randomBytes(random, 256));
            }
            for (byte[] input : inputs) {
                try {
                    DeltaCodec.decode(Delta.of(DeltaCodec.NDLIST_V1, input), specs);
                } catch (DeltaRejectedException e) {
                    // warming up the refusals is the point
                }
            }
        }
    }

    @org.junit.jupiter.api.AfterAll
    static void report() {
        System.out.println("largest allocation of one decode: " + largestAllocation + " bytes");
    }

    /** What one input did: decoded, or refused. Anything else fails the test, naming the input. */
    private enum Outcome { DECODED, REFUSED }

    private static Outcome decodeOnce(HostileDeltas.Case input, List<TensorSpec> specs) {
        Delta delta = Delta.of(DeltaCodec.NDLIST_V1, input.bytes());
        List<NamedTensor> tensors = null;
        DeltaRejectedException refusal = null;
        long before = HostileDeltas.allocatedBytes();
        try {
            tensors = DeltaCodec.decode(delta, specs);
        } catch (DeltaRejectedException e) {
            refusal = e;
        } catch (Throwable t) {
            fail("decoding " + input + " threw " + t + " instead of a DeltaRejectedException", t);
        }
        long allocated = HostileDeltas.allocatedBytes() - before;
        largestAllocation = Math.max(largestAllocation, allocated);
        assertThat(allocated).as("bytes allocated decoding %s", input)
                .isLessThan(FIXED_ALLOCATION + (long) ALLOCATION_PER_BYTE * input.bytes().length);
        if (refusal != null) {
            assertThat(refusal.getMessage()).as("refusal of %s", input).isNotBlank();
            return Outcome.REFUSED;
        }
        assertThat(tensors).extracting(NamedTensor::spec).as("decoded %s", input).containsExactlyElementsOf(specs);
        return Outcome.DECODED;
    }

    @Test
    void randomMutatedAndCraftedDeltasAreDecodedOrRefusedNeverAnythingElse() {
        Random random = new Random(SEED);
        int decoded = 0;
        int refused = 0;
        for (List<TensorSpec> specs : SPECS) {
            byte[] valid = valid(specs, random);
            assertThat(decodeOnce(new HostileDeltas.Case("valid", valid), specs)).isEqualTo(Outcome.DECODED);
            for (int i = 0; i < CASES; i++) {
                HostileDeltas.Case input = switch (i % 4) {
                    case 0 -> new HostileDeltas.Case("random bytes #" + i, HostileDeltas.randomBytes(random, 256));
                    case 1 -> HostileDeltas.mutate(HostileDeltas.mutate(valid, random).bytes(), random);
                    default -> HostileDeltas.mutate(valid, random);
                };
                if (decodeOnce(input, specs) == Outcome.DECODED) {
                    decoded++;
                } else {
                    refused++;
                }
            }
            TensorSpec first = specs.get(0);
            for (HostileDeltas.Case crafted : HostileDeltas.crafted(first.name(), first.shape())) {
                assertThat(decodeOnce(crafted, specs)).as("%s", crafted).isEqualTo(Outcome.REFUSED);
                for (int i = 0; i < 50; i++) {
                    HostileDeltas.Case mutated = HostileDeltas.mutate(crafted.bytes(), random);
                    assertThat(decodeOnce(new HostileDeltas.Case(crafted.what() + ", then " + mutated.what(),
                            mutated.bytes()), specs)).isEqualTo(Outcome.REFUSED);
                }
            }
        }
        System.out.println("property test: " + decoded + " decoded, " + refused + " refused");
        // the mutations reach both sides: flips in the data decode, flips in a header are refused
        assertThat(decoded).isGreaterThan(CASES / 10);
        assertThat(refused).isGreaterThan(CASES);
    }

    @Test
    void aDeltaClaimingTwoToThe31ElementsIsRefusedBeforeAllocating() {
        byte[] crafted = HostileDeltas.claimsTwoToThe31Elements("w");
        assertThat(crafted.length).isLessThan(64);
        // a header that matches what the caller expects, claiming 1 GiB of data that is not there
        byte[] oneGib = HostileDeltas.ndlist(1, List.of(HostileDeltas.Header.of("w", 1L << 28)), 0);
        byte[] tooLarge = HostileDeltas.ndlist(1, List.of(HostileDeltas.Header.of("w", Integer.MAX_VALUE - 8)), 0);
        List<Object[]> cases = List.of(
                new Object[] {crafted, new TensorSpec("w", new long[] {16}), "has shape (2147483648), expected (16)"},
                new Object[] {crafted, new TensorSpec("w", new long[] {Integer.MAX_VALUE - 8}), "has shape (2147483648)"},
                new Object[] {oneGib, new TensorSpec("w", new long[] {1L << 28}),
                    "tensor 0 'w' data = 268435456 needs at least 1073741824 bytes but only 0 remain"},
                new Object[] {tooLarge, new TensorSpec("w", new long[] {Integer.MAX_VALUE - 8}),
                    "tensor 0 'w' data length is -36 bytes, but 2147483639 float32 elements take 8589934556"});
        for (Object[] c : cases) {
            Delta delta = Delta.of(DeltaCodec.NDLIST_V1, (byte[]) c[0]);
            Runtime runtime = Runtime.getRuntime();
            long usedBefore = runtime.totalMemory() - runtime.freeMemory();
            long before = HostileDeltas.allocatedBytes();
            try {
                DeltaCodec.decode(delta, List.of((TensorSpec) c[1]));
                fail("decoded a delta that carries none of its data");
            } catch (DeltaRejectedException e) {
                assertThat(e.getMessage()).contains((String) c[2]);
            }
            assertThat(HostileDeltas.allocatedBytes() - before).as("allocated refusing %s", c[2])
                    .isLessThan(FIXED_ALLOCATION);
            assertThat(runtime.totalMemory() - runtime.freeMemory() - usedBefore).isLessThan(64L << 20);
        }
    }

    /**
     * The same inputs in a JVM of 32 MiB heap: a decoder that allocated what a header claims would
     * die there with an OutOfMemoryError (DJL's {@code NDList.decode} does on the crafted npy header).
     */
    @Test
    void hostileDeltasDecodeInASmallHeap() throws IOException, InterruptedException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process process = new ProcessBuilder(java, "-Xmx32m", "-XX:+ExitOnOutOfMemoryError", "-cp",
                System.getProperty("java.class.path"), SmallHeapProbe.class.getName(), Long.toString(SEED), "3000")
                .redirectErrorStream(true).start();
        boolean finished = process.waitFor(120, TimeUnit.SECONDS);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!finished) {
            process.destroyForcibly();
            fail("the small-heap probe did not finish in 120 s: " + output);
        }
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("refused all crafted").containsPattern("decoded \\d+, refused \\d+");
    }

    /** Runs in the small-heap JVM: only the format reader, no engine. */
    static final class SmallHeapProbe {
        public static void main(String[] args) {
            Random random = new Random(Long.parseLong(args[0]));
            int cases = Integer.parseInt(args[1]);
            List<TensorSpec> specs = List.of(new TensorSpec("output.weight", new long[] {2, 8}),
                    new TensorSpec("output.bias", new long[] {2}));
            byte[] valid = validWithData(specs);
            for (HostileDeltas.Case crafted : HostileDeltas.crafted("output.weight", 2, 8)) {
                try {
                    DeltaCodec.decode(Delta.of(DeltaCodec.NDLIST_V1, crafted.bytes()), specs);
                    throw new AssertionError("decoded " + crafted);
                } catch (DeltaRejectedException expected) {
                    // the only acceptable outcome
                }
            }
            System.out.println("refused all crafted");
            int decoded = 0;
            int refused = 0;
            for (int i = 0; i < cases; i++) {
                HostileDeltas.Case input = HostileDeltas.mutate(valid, random);
                try {
                    DeltaCodec.decode(Delta.of(DeltaCodec.NDLIST_V1, input.bytes()), specs);
                    decoded++;
                } catch (DeltaRejectedException e) {
                    refused++;
                }
            }
            System.out.println("decoded " + decoded + ", refused " + refused);
        }

        /** The layout DJL writes, with data, built without an engine (the probe loads no natives). */
        private static byte[] validWithData(List<TensorSpec> specs) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] headerless = HostileDeltas.ndlist(specs.size(), List.of(), 0);
            out.writeBytes(headerless);
            for (TensorSpec spec : specs) {
                byte[] one = HostileDeltas.ndlist(1, List.of(HostileDeltas.Header.of(spec.name(), spec.shape())),
                        (int) spec.elementCount() * Float.BYTES);
                out.write(one, 4, one.length - 4);
            }
            return out.toByteArray();
        }
    }
}
