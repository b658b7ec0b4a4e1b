package dev.streamtune.model.encoder;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX {@code ModelProto} that rebuilding an encoder needs: the float initializers
 * (name, dims, values) and the nodes (op type, inputs, outputs). Decoded by hand from the protobuf
 * wire format (field numbers from onnx.proto3), because ONNX Runtime's Java API does not expose
 * initializers and a generated protobuf binding would be a dependency for a few fields.
 */
public record OnnxGraph(Map<String, Initializer> initializers, List<Node> nodes) {

    // onnx.proto3 field numbers
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_OP_TYPE = 4;
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_FLOAT_DATA = 4;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int TENSOR_DATA_LOCATION = 14;
    private static final int DATA_TYPE_FLOAT = 1;
    private static final int DATA_LOCATION_EXTERNAL = 1;

    public OnnxGraph {
        initializers = Map.copyOf(initializers);
        nodes = List.copyOf(nodes);
    }

    /** A float32 weight stored in the graph. */
    public record Initializer(String name, long[] dims, float[] values) {
        public Initializer {
            dims = dims.clone();
        }

        @Override
        public long[] dims() {
            return dims.clone();
        }

        @Override
        public String toString() {
            return "Initializer[" + name + " " + Arrays.toString(dims) + "]";
        }
    }

    public record Node(String opType, List<String> inputs, List<String> outputs) {
        public Node {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }
    }

    /**
     * Decodes a serialized {@code ModelProto}. Initializers of other types than float32 (e.g. the
     * int64 {@code position_ids}) are left out: nothing trainable is stored in them.
     *
     * @throws IllegalStateException when the bytes are not a readable ONNX model
     */
    public static OnnxGraph parse(byte[] modelBytes) {
        ProtobufReader model = new ProtobufReader(modelBytes);
        ProtobufReader graph = null;
        while (model.hasMore()) {
            model.readTag();
            if (model.fieldNumber() == MODEL_GRAPH && model.wireType() == ProtobufReader.LENGTH_DELIMITED) {
                graph = model.readMessage();
            } else {
                model.skipField();
            }
        }
        if (graph == null) {
            throw new IllegalStateException("ONNX model has no graph (field " + MODEL_GRAPH + " of ModelProto)");
        }
        Map<String, Initializer> initializers = new LinkedHashMap<>();
        List<Node> nodes = new ArrayList<>();
        while (graph.hasMore()) {
            graph.readTag();
            if (graph.wireType() != ProtobufReader.LENGTH_DELIMITED) {
                graph.skipField();
                continue;
            }
            switch (graph.fieldNumber()) {
                case GRAPH_NODE -> nodes.add(readNode(graph.readMessage()));
                case GRAPH_INITIALIZER -> {
                    Initializer initializer = readTensor(graph.readMessage());
                    if (initializer != null) {
                        initializers.put(initializer.name(), initializer);
                    }
                }
                default -> graph.skipField();
            }
        }
        return new OnnxGraph(initializers, nodes);
    }

    private static Node readNode(ProtobufReader node) {
        String opType = "";
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        while (node.hasMore()) {
            node.readTag();
            if (node.wireType() != ProtobufReader.LENGTH_DELIMITED) {
                node.skipField();
                continue;
            }
            switch (node.fieldNumber()) {
                case NODE_INPUT -> inputs.add(node.readString());
                case NODE_OUTPUT -> outputs.add(node.readString());
                case NODE_OP_TYPE -> opType = node.readString();
                default -> node.skipField();
            }
        }
        return new Node(opType, inputs, outputs);
    }

    /** A float32 tensor, or null for any other data type. */
    private static Initializer readTensor(ProtobufReader tensor) {
        String name = null;
        List<Long> dims = new ArrayList<>();
        long dataType = 0;
        long dataLocation = 0;
        ByteBuffer raw = null;
        List<Float> floatData = new ArrayList<>();
        while (tensor.hasMore()) {
            tensor.readTag();
            switch (tensor.fieldNumber()) {
                case TENSOR_DIMS -> {
                    if (tensor.wireType() == ProtobufReader.LENGTH_DELIMITED) {
                        ProtobufReader packed = tensor.readMessage();
                        while (packed.hasMore()) {
                            dims.add(packed.readVarint());
                        }
                    } else {
                        dims.add(tensor.readVarint());
                    }
                }
                case TENSOR_DATA_TYPE -> dataType = tensor.readVarint();
                case TENSOR_NAME -> name = tensor.readString();
                case TENSOR_DATA_LOCATION -> dataLocation = tensor.readVarint();
                case TENSOR_RAW_DATA -> {
                    ProtobufReader bytes = tensor.readMessage();
                    raw = ByteBuffer.wrap(bytes.buffer(), bytes.offset(), bytes.remaining()).slice()
                            .order(ByteOrder.LITTLE_ENDIAN);
                }
                case TENSOR_FLOAT_DATA -> {
                    if (tensor.wireType() == ProtobufReader.LENGTH_DELIMITED) {
                        ProtobufReader packed = tensor.readMessage();
                        ByteBuffer values = ByteBuffer.wrap(packed.buffer(), packed.offset(), packed.remaining())
                                .slice().order(ByteOrder.LITTLE_ENDIAN);
                        while (values.remaining() >= Float.BYTES) {
                            floatData.add(values.getFloat());
                        }
                    } else {
                        floatData.add(Float.intBitsToFloat((int) readFixed32(tensor)));
                    }
                }
                default -> tensor.skipField();
            }
        }
        if (name == null) {
            throw new IllegalStateException("ONNX initializer without a name");
        }
        if (dataType != DATA_TYPE_FLOAT) {
            return null;
        }
        if (dataLocation == DATA_LOCATION_EXTERNAL) {
            throw new IllegalStateException("ONNX initializer '" + name
                    + "' is stored in an external data file; only self-contained models can be imported");
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        float[] values;
        if (raw != null) {
            if (raw.remaining() != count * Float.BYTES) {
                throw new IllegalStateException("ONNX initializer '" + name + "' of shape " + Arrays.toString(shape)
                        + " needs " + count * Float.BYTES + " bytes of raw data, has " + raw.remaining());
            }
            values = new float[(int) count];
            raw.asFloatBuffer().get(values);
        } else {
            if (floatData.size() != count) {
                throw new IllegalStateException("ONNX initializer '" + name + "' of shape " + Arrays.toString(shape)
                        + " needs " + count + " float values, has " + floatData.size());
            }
            values = new float[(int) count];
            for (int i = 0; i < values.length; i++) {
                values[i] = floatData.get(i);
            }
        }
        return new Initializer(name, shape, values);
    }

    private static long readFixed32(ProtobufReader reader) {
        if (reader.remaining() < 4) {
            throw new IllegalStateException("malformed protobuf: fixed32 runs past the end of its message");
        }
        byte[] b = reader.buffer();
        int at = reader.offset();
        long value = (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
        reader.skipField();
        return value;
    }
}
