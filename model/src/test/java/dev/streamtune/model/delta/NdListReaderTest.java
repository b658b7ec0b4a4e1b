package dev.streamtune.model.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * The strict reader reads exactly what DJL's {@code NDList.encode()} writes, so the wire format of
 * {@link DeltaCodec#NDLIST_V1} is unchanged: golden round trips against DJL's own encoder and
 * decoder over several shapes, both byte orders, and a fixture written once by DJL 0.36.
 */
@Tag("model")
class NdListReaderTest {
    private static final long[][] SHAPES = {
        {}, {0}, {1}, {7}, {3, 5}, {0, 4}, {2, 3, 4}, {384, 2}, {1, 1, 1, 1, 1, 1, 1, 1}, {2, 1, 3, 1, 2}};

    /** Values that catch any reinterpretation of the bits: signed zeros, NaN payloads, subnormals, infinities. */
    private static float[] values(int count, Random random) {
        float[] special = {0f, -0f, Float.NaN, Float.intBitsToFloat(0x7fc00001), Float.MIN_VALUE, -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-42f, 1f};
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = i < special.length ? special[i] : (float) random.nextGaussian() * 10;
        }
        return out;
    }

    private static List<NamedTensor> tensors(Random random) {
        List<NamedTensor> tensors = new ArrayList<>();
        for (int i = 0; i < SHAPES.length; i++) {
            long[] shape = SHAPES[i];
            tensors.add(new NamedTensor("layer." + i + ".wéight", shape,
                    values((int) TensorSpec.elementCount("t", shape), random)));
        }
        return tensors;
    }

    private static byte[] djlEncode(List<NamedTensor> tensors) {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDList list = new NDList();
            for (NamedTensor tensor : tensors) {
                NDArray array = manager.create(tensor.valuesView(), new Shape(tensor.shape()));
                array.setName(tensor.name());
                list.add(array);
            }
            return list.encode();
        }
    }

    private static void assertBitForBit(List<NamedTensor> actual, List<NamedTensor> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).name()).isEqualTo(expected.get(i).name());
            assertThat(actual.get(i).shape()).isEqualTo(expected.get(i).shape());
            float[] a = actual.get(i).valuesView();
            float[] e = expected.get(i).valuesView();
            assertThat(a).hasSameSizeAs(e);
            for (int j = 0; j < e.length; j++) {
                assertThat(Float.floatToRawIntBits(a[j])).as("%s[%d]", expected.get(i).name(), j)
                        .isEqualTo(Float.floatToRawIntBits(e[j]));
            }
        }
    }

    private static NdListReader.Limits limitsFor(List<NamedTensor> tensors) {
        return NdListReader.Limits.exactly(tensors.stream().map(NamedTensor::spec).toList());
    }

    @Test
    void readsWhatDjlEncodesForEveryShapeBitForBit() {
        Random random = new Random(42);
        for (int round = 0; round < 5; round++) {
            List<NamedTensor> tensors = tensors(random);
            byte[] encoded = djlEncode(tensors);
            assertBitForBit(NdListReader.read(encoded, limitsFor(tensors)), tensors);
            // one tensor per list too: the count and the per-tensor framing line up at every shape
            for (NamedTensor tensor : tensors) {
                assertBitForBit(NdListReader.read(djlEncode(List.of(tensor)), limitsFor(List.of(tensor))),
                        List.of(tensor));
            }
        }
    }

    @Test
    void readsWhatDjlDecodesTheSameWay() {
        List<NamedTensor> tensors = tensors(new Random(7));
        byte[] encoded = djlEncode(tensors);
        List<NamedTensor> viaDjl = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            for (NDArray array : NDList.decode(manager, encoded)) {
                viaDjl.add(new NamedTensor(array.getName(), array.getShape().getShape(), array.toFloatArray()));
            }
        }
        assertBitForBit(NdListReader.read(encoded, limitsFor(tensors)), viaDjl);
    }

    @Test
    void refusesBigEndianDataWhichDjlsDecoderMisreadsOnThisEngine() {
        List<NamedTensor> tensors = List.of(new NamedTensor("w", new long[] {2, 3}, values(6, new Random(3))));
        byte[] little = djlEncode(tensors);
        int orderAt = little.length - 6 * Float.BYTES - Integer.BYTES - 1;
        assertThat((char) little[orderAt]).as("DJL on this engine writes native (little-endian) data").isEqualTo('<');
        byte[] big = little.clone();
        big[orderAt] = '>';
        ByteBuffer source = ByteBuffer.wrap(little, orderAt + 1 + Integer.BYTES, 6 * Float.BYTES).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer.wrap(big, orderAt + 1 + Integer.BYTES, 6 * Float.BYTES).slice().order(ByteOrder.BIG_ENDIAN)
                .asFloatBuffer().put(source.asFloatBuffer());
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            // DJL's decoder hands the bytes to the engine as they are, ignoring the declared order
            assertThat(NDList.decode(manager, big).get(0).toFloatArray()).isNotEqualTo(tensors.get(0).valuesView());
        }
        assertThatThrownBy(() -> NdListReader.read(big, limitsFor(tensors))).isInstanceOf(DeltaRejectedException.class)
                .hasMessageContaining("tensor 0 'w' byte order is 62, expected '<'");
    }

    /** Written once by {@code DeltaCodec.encode} on DJL 0.36 (the PyTorch engine); read back from then on. */
    @Test
    void readsTheGoldenFixture() throws IOException {
        byte[] golden;
        try (InputStream in = NdListReaderTest.class.getResourceAsStream("/golden/head-delta-djl-ndlist-v1.bin")) {
            assertThat(in).as("golden fixture on the test class path").isNotNull();
            golden = in.readAllBytes();
        }
        List<NamedTensor> expected = GoldenDelta.tensors();
        assertThat(Delta.sha256Hex(golden)).isEqualTo(GoldenDelta.SHA256);
        assertBitForBit(DeltaCodec.decode(new Delta(DeltaCodec.NDLIST_V1, golden, GoldenDelta.SHA256),
                expected.stream().map(NamedTensor::spec).toList()), expected);
        // today's encoder still writes the same bytes
        assertThat(DeltaCodec.encode(expected).bytes()).isEqualTo(golden);
    }

    @Test
    void scanReportsNamesAndShapesWithoutTheData() {
        List<NamedTensor> tensors = tensors(new Random(1));
        List<NdListReader.Header> headers = NdListReader.scan(djlEncode(tensors), limitsFor(tensors));
        assertThat(headers).extracting(NdListReader.Header::name)
                .containsExactlyElementsOf(tensors.stream().map(NamedTensor::name).toList());
        for (int i = 0; i < tensors.size(); i++) {
            assertThat(headers.get(i).shape()).isEqualTo(tensors.get(i).shape());
        }
    }

    @Test
    void refusalsNameTheTensorTheFieldAndTheLimit() {
        List<NamedTensor> one = List.of(new NamedTensor("output.bias", new long[] {3}, new float[] {1, 2, 3}));
        byte[] encoded = djlEncode(one);
        NdListReader.Limits limits = limitsFor(one);

        assertThatThrownBy(() -> NdListReader.read(encoded, NdListReader.Limits.exactly(List.of())))
                .isInstanceOf(DeltaRejectedException.class).hasMessageContaining("delta holds 1 tensors (tensor count), more than the 0 expected");
        assertThatThrownBy(() -> NdListReader.read(djlEncode(List.of(one.get(0), one.get(0))),
                new NdListReader.Limits(2, 6, limits.specs(), "x")))
                .isInstanceOf(DeltaRejectedException.class).hasMessageContaining("holds tensor 'output.bias' twice");
        assertThatThrownBy(() -> NdListReader.read(encoded, new NdListReader.Limits(1, 2, limits.specs(), "x")))
                .isInstanceOf(DeltaRejectedException.class)
                .hasMessageContaining("tensor 0 'output.bias' brings the element count to 3, more than the limit of 2");

        byte[] trailing = java.util.Arrays.copyOf(encoded, encoded.length + 1);
        assertThatThrownBy(() -> NdListReader.read(trailing, limits)).isInstanceOf(DeltaRejectedException.class)
                .hasMessageContaining("1 bytes remain unread");
        byte[] truncated = java.util.Arrays.copyOf(encoded, encoded.length - 1);
        assertThatThrownBy(() -> NdListReader.read(truncated, limits)).isInstanceOf(DeltaRejectedException.class)
                .hasMessageContaining("tensor 0 'output.bias' data = 3 needs at least 12 bytes but only 11 remain");

        byte[] wrongType = replace(encoded, "FLOAT32", "FLOAT64");
        assertThatThrownBy(() -> NdListReader.read(wrongType, limits)).isInstanceOf(DeltaRejectedException.class)
                .hasMessageContaining("tensor 0 'output.bias' is FLOAT64, expected float32");
        byte[] sparse = replace(encoded, "DENSE", "CSRxx");
        assertThatThrownBy(() -> NdListReader.read(sparse, limits)).isInstanceOf(DeltaRejectedException.class)
                .hasMessageContaining("sparse format is 'CSRxx', expected 'DENSE'");
        byte[] otherMagic = replace(encoded, "NDAR", "PK\u0003\u0004");
        assertThatThrownBy(() -> NdListReader.read(otherMagic, limits)).isInstanceOf(DeltaRejectedException.class)
                .hasMessageContaining("tensor 0 magic");
    }

    private static byte[] replace(byte[] bytes, String from, String to) {
        byte[] needle = from.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] with = to.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] out = bytes.clone();
        for (int i = 0; i + needle.length <= out.length; i++) {
            if (java.util.Arrays.equals(out, i, i + needle.length, needle, 0, needle.length)) {
                System.arraycopy(with, 0, out, i, with.length);
                return out;
            }
        }
        throw new AssertionError("'" + from + "' not in the bytes");
    }
}
