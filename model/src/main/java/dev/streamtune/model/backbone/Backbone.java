package dev.streamtune.model.backbone;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Describes a frozen pre-trained network: its id, shape, and where its tokenizer and ONNX weights
 * live on the classpath. A descriptor only; {@link #loadWeights()} reads the weights.
 *
 * @param id              stable id used in configs, topic names and model versions (e.g. {@code all-MiniLM-L6-v2})
 * @param hiddenSize      width of the encoder output and of the pooled embedding
 * @param maxPositions    the largest sequence length the position embeddings cover
 * @param tokenizerResource classpath resource of the HuggingFace {@code tokenizer.json}
 * @param onnxResource    classpath resource of the ONNX weights file
 * @param resourceLoader  class loader that can see both resources (the provider's own)
 */
public record Backbone(
        String id,
        int hiddenSize,
        int maxPositions,
        String tokenizerResource,
        String onnxResource,
        ClassLoader resourceLoader) {

    public Backbone {
        requireText(id, "id");
        requireText(tokenizerResource, "tokenizerResource");
        requireText(onnxResource, "onnxResource");
        Objects.requireNonNull(resourceLoader, "backbone '" + id + "': resourceLoader must not be null");
        if (hiddenSize < 1) {
            throw new IllegalArgumentException("backbone '" + id + "': hiddenSize must be >= 1, was " + hiddenSize);
        }
        if (maxPositions < 2) {
            throw new IllegalArgumentException("backbone '" + id + "': maxPositions must be >= 2 (room for the special tokens), was " + maxPositions);
        }
    }

    /** A backbone whose files are resources visible to {@code anchor}'s class loader. */
    public static Backbone onClasspath(String id, int hiddenSize, int maxPositions,
                                       String tokenizerResource, String onnxResource, Class<?> anchor) {
        return new Backbone(id, hiddenSize, maxPositions, tokenizerResource, onnxResource, anchor.getClassLoader());
    }

    /** Opens the tokenizer.json; the caller closes the stream. */
    public InputStream openTokenizerJson() {
        return openResource(tokenizerResource, "tokenizer");
    }

    /** Opens the ONNX weights file; the caller closes the stream. */
    public InputStream openOnnx() {
        return openResource(onnxResource, "ONNX weights");
    }

    /**
     * Reads the whole ONNX file into memory once and digests it. The embedder hands these bytes to
     * ONNX Runtime directly, so the ~90 MB file inside the jar is read exactly once per session.
     */
    public BackboneWeights loadWeights() {
        try (InputStream in = openOnnx()) {
            byte[] bytes = in.readAllBytes();
            String sha256 = WeightDigests.remember(this, Sha256.hex(bytes));
            return new BackboneWeights(this, bytes, sha256);
        } catch (IOException e) {
            throw new UncheckedIOException("backbone '" + id + "': cannot read ONNX weights '" + onnxResource + "'", e);
        }
    }

    /**
     * The sha256 (lower-case hex) of the ONNX weights file: the base of every model version built on
     * this backbone. Computed once per process (streamed, without holding the file) and then cached.
     */
    public String weightsSha256() {
        return WeightDigests.computeIfAbsent(this, () -> {
            try (InputStream in = openOnnx()) {
                return Sha256.hex(in);
            } catch (IOException e) {
                throw new UncheckedIOException("backbone '" + id + "': cannot read ONNX weights '" + onnxResource + "'", e);
            }
        });
    }

    @Override
    public String toString() {
        return "Backbone[" + id + ", hidden " + hiddenSize + ", max positions " + maxPositions
                + ", tokenizer " + tokenizerResource + ", onnx " + onnxResource + "]";
    }

    private InputStream openResource(String resource, String what) {
        InputStream in = resourceLoader.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("backbone '" + id + "': " + what + " resource '" + resource
                    + "' is not on the classpath (is the jar that ships it a dependency?)");
        }
        return in;
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("backbone " + field + " must be a non-blank string, was " + (value == null ? "null" : "'" + value + "'"));
        }
    }
}
