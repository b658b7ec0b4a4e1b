package dev.streamtune.model.encoder;

import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneWeights;
import dev.streamtune.model.delta.NamedTensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT encoder's weights under their HuggingFace names ({@code encoder.layer.3.attention.self.query.weight},
 * ...), imported from an ONNX export.
 *
 * <p>The PyTorch exporter stores each dense layer's weight transposed ([in, out], ready for
 * {@code x @ W}) under a generated name such as {@code onnx::MatMul_787}, while the bias added right
 * after the MatMul keeps the layer's real name. So the names are recovered by walking the graph:
 * the output of each MatMul with an initializer operand feeds an Add whose other operand is the
 * named bias; the weight is named after that bias. Dense weights stay in the [in, out] layout.
 */
public record EncoderWeights(Map<String, NamedTensor> tensors, EncoderArchitecture architecture) {

    public static final String WORD_EMBEDDINGS = "embeddings.word_embeddings.weight";
    public static final String POSITION_EMBEDDINGS = "embeddings.position_embeddings.weight";
    public static final String TOKEN_TYPE_EMBEDDINGS = "embeddings.token_type_embeddings.weight";
    public static final String EMBEDDINGS_NORM = "embeddings.LayerNorm";

    public EncoderWeights {
        tensors = Map.copyOf(tensors);
    }

    /** Reads the backbone's ONNX file and maps its initializers; {@code heads} is not stored in the weights. */
    public static EncoderWeights load(Backbone backbone, int heads) {
        BackboneWeights weights = backbone.loadWeights();
        try {
            return fromGraph(OnnxGraph.parse(weights.onnxBytes()), heads);
        } catch (RuntimeException e) {
            throw new IllegalStateException("backbone '" + backbone.id() + "': cannot import encoder weights from '"
                    + backbone.onnxResource() + "': " + e.getMessage(), e);
        }
    }

    public static EncoderWeights fromGraph(OnnxGraph graph, int heads) {
        Map<String, OnnxGraph.Initializer> initializers = graph.initializers();
        Map<String, List<OnnxGraph.Node>> consumers = new HashMap<>();
        for (OnnxGraph.Node node : graph.nodes()) {
            for (String input : node.inputs()) {
                consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node);
            }
        }
        Map<String, NamedTensor> named = new LinkedHashMap<>();
        for (OnnxGraph.Initializer initializer : initializers.values()) {
            if (!initializer.name().startsWith("onnx::")) {
                named.put(initializer.name(), new NamedTensor(initializer.name(), initializer.dims(), initializer.values()));
            }
        }
        for (OnnxGraph.Node node : graph.nodes()) {
            if (!node.opType().equals("MatMul") || node.inputs().size() != 2) {
                continue;
            }
            OnnxGraph.Initializer weight = initializers.get(node.inputs().get(1));
            if (weight == null) {
                continue; // activation x activation (attention scores)
            }
            String bias = biasAddedTo(node.outputs().get(0), consumers, initializers);
            if (bias == null) {
                throw new IllegalStateException("MatMul weight '" + weight.name()
                        + "' is not followed by an Add with a named bias, so its layer cannot be identified");
            }
            String name = bias.substring(0, bias.length() - ".bias".length()) + ".weight";
            if (named.put(name, new NamedTensor(name, weight.dims(), weight.values())) != null) {
                throw new IllegalStateException("two MatMul weights map to '" + name + "'");
            }
        }
        EncoderArchitecture architecture = EncoderArchitecture.infer(named, heads);
        return new EncoderWeights(named, architecture);
    }

    private static String biasAddedTo(String matMulOutput, Map<String, List<OnnxGraph.Node>> consumers,
                                      Map<String, OnnxGraph.Initializer> initializers) {
        for (OnnxGraph.Node consumer : consumers.getOrDefault(matMulOutput, List.of())) {
            if (!consumer.opType().equals("Add")) {
                continue;
            }
            for (String operand : consumer.inputs()) {
                if (!operand.equals(matMulOutput) && initializers.containsKey(operand) && operand.endsWith(".bias")) {
                    return operand;
                }
            }
        }
        return null;
    }

    /** Weights from already named tensors (e.g. a pack shipped to another machine); the shapes give the architecture. */
    public static EncoderWeights fromTensors(Map<String, NamedTensor> tensors, int heads) {
        return new EncoderWeights(tensors, EncoderArchitecture.infer(tensors, heads));
    }

    /** The tensor called {@code name}; a clear error when the export lacks it. */
    public NamedTensor require(String name) {
        NamedTensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new IllegalStateException("encoder weights lack '" + name + "'");
        }
        return tensor;
    }

    /** {@code encoder.layer.<layer>.<suffix>}. */
    public static String layerName(int layer, String suffix) {
        return "encoder.layer." + layer + "." + suffix;
    }
}
