package dev.streamtune.model.encoder;

import dev.streamtune.model.delta.NamedTensor;
import java.util.Map;

/**
 * The shape of a BERT encoder, read off its weights (all but the head count, which no tensor
 * stores). all-MiniLM-L6-v2: 6 layers, hidden 384, 12 heads, intermediate 1536, vocabulary 30522,
 * 512 positions, 2 token types, LayerNorm eps 1e-12.
 */
public record EncoderArchitecture(int layers, int hidden, int heads, int intermediate, int vocabulary,
                                  int maxPositions, int tokenTypes, float layerNormEps) {

    /** BERT's LayerNorm epsilon; not stored in the ONNX weights (it is a graph constant). */
    public static final float BERT_LAYER_NORM_EPS = 1e-12f;

    public EncoderArchitecture {
        requirePositive("layers", layers);
        requirePositive("hidden", hidden);
        requirePositive("heads", heads);
        requirePositive("intermediate", intermediate);
        requirePositive("vocabulary", vocabulary);
        requirePositive("maxPositions", maxPositions);
        requirePositive("tokenTypes", tokenTypes);
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden (" + hidden + ") must be a multiple of heads (" + heads + ")");
        }
        if (!(layerNormEps > 0f)) {
            throw new IllegalArgumentException("layerNormEps must be > 0, got " + layerNormEps);
        }
    }

    public int headSize() {
        return hidden / heads;
    }

    static EncoderArchitecture infer(Map<String, NamedTensor> weights, int heads) {
        NamedTensor words = weights.get(EncoderWeights.WORD_EMBEDDINGS);
        NamedTensor positions = weights.get(EncoderWeights.POSITION_EMBEDDINGS);
        NamedTensor types = weights.get(EncoderWeights.TOKEN_TYPE_EMBEDDINGS);
        if (words == null || positions == null || types == null) {
            throw new IllegalStateException("encoder weights need word, position and token type embeddings; found "
                    + weights.keySet().stream().filter(n -> n.startsWith("embeddings.")).toList());
        }
        int layers = 0;
        while (weights.containsKey(EncoderWeights.layerName(layers, "attention.self.query.weight"))) {
            layers++;
        }
        if (layers == 0) {
            throw new IllegalStateException("encoder weights hold no layer 'encoder.layer.0.attention.self.query.weight'");
        }
        NamedTensor intermediate = weights.get(EncoderWeights.layerName(0, "intermediate.dense.weight"));
        if (intermediate == null) {
            throw new IllegalStateException("encoder weights lack 'encoder.layer.0.intermediate.dense.weight'");
        }
        return new EncoderArchitecture(layers, (int) words.shape()[1], heads, (int) intermediate.shape()[1],
                (int) words.shape()[0], (int) positions.shape()[0], (int) types.shape()[0], BERT_LAYER_NORM_EPS);
    }

    private static void requirePositive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + " must be >= 1, got " + value);
        }
    }
}
