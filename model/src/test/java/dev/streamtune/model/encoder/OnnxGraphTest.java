package dev.streamtune.model.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written ONNX decoder on small models written here field by field (onnx.proto3 numbering). */
class OnnxGraphTest {

    @Test
    void readsRawAndPackedFloatInitializersAndNodes() {
        byte[] raw = littleEndian(1f, 2f, 3f, 4f, 5f, 6f);
        byte[] graph = concat(
                field(5, tensor("onnx::MatMul_7", new long[] {2, 3}, 1, 9, raw)),
                field(5, tensor("layer.bias", new long[] {3}, 1, 4, littleEndian(0.5f, -0.5f, 0.25f))),
                field(5, tensor("position_ids", new long[] {1, 2}, 7, 9, new byte[16])),
                field(1, node("MatMul", List.of("x", "onnx::MatMul_7"), List.of("m"))),
                field(1, node("Add", List.of("layer.bias", "m"), List.of("y"))));
        byte[] model = concat(varintField(1, 8), field(7, graph));

        OnnxGraph parsed = OnnxGraph.parse(model);

        assertThat(parsed.initializers()).containsOnlyKeys("onnx::MatMul_7", "layer.bias");
        assertThat(parsed.initializers().get("onnx::MatMul_7").dims()).containsExactly(2, 3);
        assertThat(parsed.initializers().get("onnx::MatMul_7").values()).containsExactly(1f, 2f, 3f, 4f, 5f, 6f);
        assertThat(parsed.initializers().get("layer.bias").values()).containsExactly(0.5f, -0.5f, 0.25f);
        assertThat(parsed.nodes()).containsExactly(
                new OnnxGraph.Node("MatMul", List.of("x", "onnx::MatMul_7"), List.of("m")),
                new OnnxGraph.Node("Add", List.of("layer.bias", "m"), List.of("y")));
    }

    @Test
    void refusesTruncatedBytesAndMissingGraphWithTheReason() {
        byte[] graph = field(5, tensor("w", new long[] {2}, 1, 9, littleEndian(1f, 2f)));
        byte[] model = field(7, graph);
        assertThatThrownBy(() -> OnnxGraph.parse(Arrays.copyOf(model, model.length - 3)))
                .hasMessageContaining("runs past the end");
        assertThatThrownBy(() -> OnnxGraph.parse(varintField(1, 8))).hasMessageContaining("no graph");
        byte[] wrongSize = field(7, field(5, tensor("w", new long[] {3}, 1, 9, littleEndian(1f, 2f))));
        assertThatThrownBy(() -> OnnxGraph.parse(wrongSize)).hasMessageContaining("'w'").hasMessageContaining("12 bytes");
    }

    private static byte[] tensor(String name, long[] dims, int dataType, int dataField, byte[] data) {
        ByteArrayOutputStream packedDims = new ByteArrayOutputStream();
        for (long dim : dims) {
            writeVarint(packedDims, dim);
        }
        return concat(field(1, packedDims.toByteArray()), varintField(2, dataType),
                field(8, name.getBytes(StandardCharsets.UTF_8)), field(dataField, data));
    }

    private static byte[] node(String op, List<String> inputs, List<String> outputs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        inputs.forEach(i -> out.writeBytes(field(1, i.getBytes(StandardCharsets.UTF_8))));
        outputs.forEach(o -> out.writeBytes(field(2, o.getBytes(StandardCharsets.UTF_8))));
        out.writeBytes(field(4, op.getBytes(StandardCharsets.UTF_8)));
        return out.toByteArray();
    }

    private static byte[] field(int number, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarint(out, (long) number << 3 | 2);
        writeVarint(out, payload.length);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static byte[] varintField(int number, long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarint(out, (long) number << 3);
        writeVarint(out, value);
        return out.toByteArray();
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static byte[] littleEndian(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buffer.putFloat(v);
        }
        return buffer.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
