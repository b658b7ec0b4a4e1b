package dev.streamtune.model.backbone;

/**
 * The bytes of a backbone's ONNX file, read once, with their sha256 (lower-case hex).
 * The array is handed to ONNX Runtime as is and must not be modified.
 */
public record BackboneWeights(Backbone backbone, byte[] onnxBytes, String sha256) {

    public BackboneWeights {
        if (onnxBytes == null || onnxBytes.length == 0) {
            throw new IllegalArgumentException("backbone '" + backbone.id() + "': ONNX weights are empty");
        }
    }

    @Override
    public String toString() {
        return "BackboneWeights[" + backbone.id() + ", " + onnxBytes.length + " bytes, sha256=" + sha256 + "]";
    }
}
