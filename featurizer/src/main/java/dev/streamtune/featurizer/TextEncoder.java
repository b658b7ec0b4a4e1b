package dev.streamtune.featurizer;

import java.util.List;

/**
 * The frozen backbone as the featurizer sees it: texts in, pooled embeddings out, in input order.
 * The production implementation runs MiniLM in ONNX Runtime; unit tests may use a fake.
 */
public interface TextEncoder extends AutoCloseable {

    /** The backbone id, e.g. all-MiniLM-L6-v2; names the features topic. */
    String backboneId();

    /** The sha256 of the backbone's weights file, carried in every feature vector. */
    String backboneSha256();

    /** Encodes {@code texts}; result {@code i} belongs to text {@code i}. */
    List<Encoded> encode(List<String> texts);

    @Override
    default void close() {}

    /** One text's embedding and its token count after truncation. */
    record Encoded(float[] vector, int tokens) {}
}
