package dev.streamtune.model.backbone;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.util.Map;
import java.util.Optional;

/**
 * The input and output names of a BERT-style encoder, read from an ONNX Runtime session's metadata
 * rather than assumed: {@code input_ids} and {@code attention_mask} (int64 [batch, sequence]),
 * optionally {@code token_type_ids}, and the per-token output (float [batch, sequence, hidden]),
 * {@code last_hidden_state} by preference.
 */
public record EncoderSignature(String inputIds, String attentionMask, Optional<String> tokenTypeIds,
                               String lastHiddenState, int hiddenSize) {

    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    static final String LAST_HIDDEN_STATE = "last_hidden_state";

    /** Reads and checks the session's signature against what the backbone descriptor promises. */
    public static EncoderSignature read(OrtSession session, Backbone backbone) throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        String where = "backbone '" + backbone.id() + "' ONNX model";

        requireTokenInput(inputs, INPUT_IDS, where);
        requireTokenInput(inputs, ATTENTION_MASK, where);
        Optional<String> tokenTypeIds = Optional.empty();
        if (inputs.containsKey(TOKEN_TYPE_IDS)) {
            requireTokenInput(inputs, TOKEN_TYPE_IDS, where);
            tokenTypeIds = Optional.of(TOKEN_TYPE_IDS);
        }
        for (String name : inputs.keySet()) {
            if (!name.equals(INPUT_IDS) && !name.equals(ATTENTION_MASK) && !name.equals(TOKEN_TYPE_IDS)) {
                throw new IllegalStateException(where + " has an input this embedder cannot feed: '" + name
                        + "'; inputs: " + inputs.keySet());
            }
        }

        String output = outputs.containsKey(LAST_HIDDEN_STATE) ? LAST_HIDDEN_STATE : onlyRank3FloatOutput(outputs, where);
        TensorInfo info = tensorInfo(outputs.get(output), where);
        long[] shape = info.getShape();
        if (info.type != OnnxJavaType.FLOAT || shape.length != 3) {
            throw new IllegalStateException(where + " output '" + output + "' must be float [batch, sequence, hidden], was "
                    + info.type + " " + java.util.Arrays.toString(shape));
        }
        if (shape[2] > 0 && shape[2] != backbone.hiddenSize()) {
            throw new IllegalStateException(where + " output '" + output + "' has hidden size " + shape[2]
                    + " but the backbone descriptor says " + backbone.hiddenSize());
        }
        return new EncoderSignature(INPUT_IDS, ATTENTION_MASK, tokenTypeIds, output, backbone.hiddenSize());
    }

    private static void requireTokenInput(Map<String, NodeInfo> inputs, String name, String where) {
        NodeInfo node = inputs.get(name);
        if (node == null) {
            throw new IllegalStateException(where + " has no input '" + name + "'; inputs: " + inputs.keySet());
        }
        TensorInfo info = tensorInfo(node, where);
        if (info.type != OnnxJavaType.INT64 || info.getShape().length != 2) {
            throw new IllegalStateException(where + " input '" + name + "' must be int64 [batch, sequence], was "
                    + info.type + " " + java.util.Arrays.toString(info.getShape()));
        }
    }

    private static String onlyRank3FloatOutput(Map<String, NodeInfo> outputs, String where) {
        String found = null;
        for (NodeInfo node : outputs.values()) {
            if (node.getInfo() instanceof TensorInfo info && info.type == OnnxJavaType.FLOAT && info.getShape().length == 3) {
                if (found != null) {
                    throw new IllegalStateException(where + " has no '" + LAST_HIDDEN_STATE
                            + "' output and several per-token float outputs: " + outputs.keySet());
                }
                found = node.getName();
            }
        }
        if (found == null) {
            throw new IllegalStateException(where + " has no per-token float output [batch, sequence, hidden]; outputs: "
                    + outputs.keySet());
        }
        return found;
    }

    private static TensorInfo tensorInfo(NodeInfo node, String where) {
        if (!(node.getInfo() instanceof TensorInfo info)) {
            throw new IllegalStateException(where + " node '" + node.getName() + "' is not a tensor: " + node.getInfo());
        }
        return info;
    }
}
