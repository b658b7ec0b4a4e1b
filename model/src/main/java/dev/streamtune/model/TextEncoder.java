package dev.streamtune.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The frozen backbone as everything above it sees it: texts in, pooled embeddings out, in input order. The
 * featurizer encodes batches of a topic; a loaded head-only or hybrid model encodes the one text it is asked to
 * predict. {@link SentenceEmbedder} (MiniLM in ONNX Runtime) is the production one; {@link #perText} adapts a function,
 * for fakes in unit tests.
 */
public interface TextEncoder extends AutoCloseable {

    /** The backbone id, e.g. all-MiniLM-L6-v2; names the features topic. */
    String backboneId();

    /** The sha256 of the backbone's weights file, carried in every feature vector. */
    String backboneSha256();

    /** Encodes {@code texts}; result {@code i} belongs to text {@code i}. */
    List<Encoded> encode(List<String> texts);

    /** One text's pooled embedding. */
    default float[] encode(String text) {
        return encode(List.of(text)).get(0).vector();
    }

    @Override
    default void close() {}

    /** One text's embedding and its token count after truncation. */
    record Encoded(float[] vector, int tokens) {
        public Encoded {
            Objects.requireNonNull(vector, "vector");
            if (tokens < 0) {
                throw new IllegalArgumentException("tokens must be >= 0, got " + tokens);
            }
        }
    }

    /**
     * An encoder from a function of one text (token counts reported as 0), for a backbone named {@code backboneId}
     * whose weights hash {@code sha256}.
     */
    static TextEncoder perText(String backboneId, String sha256, Function<String, float[]> encode) {
        Objects.requireNonNull(encode, "encode");
        return new TextEncoder() {
            @Override
            public String backboneId() {
                return backboneId;
            }

            @Override
            public String backboneSha256() {
                return sha256;
            }

            @Override
            public List<Encoded> encode(List<String> texts) {
                List<Encoded> out = new ArrayList<>(texts.size());
                for (String text : texts) {
                    out.add(new Encoded(encode.apply(text), 0));
                }
                return out;
            }
        };
    }
}
