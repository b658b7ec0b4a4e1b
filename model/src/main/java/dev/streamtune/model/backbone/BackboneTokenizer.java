package dev.streamtune.model.backbone;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A backbone's own tokenizer (its {@code tokenizer.json}, read from the classpath) through DJL's
 * HuggingFace tokenizers: special tokens added, truncated to {@code maxTokens}, never padded.
 * Padding is left to the batcher, which pads to the longest text of each batch; the tokenizer.json
 * shipped with MiniLM asks for fixed padding to 128, which we deliberately override.
 * Thread-safe (the native tokenizer is immutable once built).
 */
public final class BackboneTokenizer implements AutoCloseable {

    private final Backbone backbone;
    private final int maxTokens;
    private final HuggingFaceTokenizer tokenizer;

    private BackboneTokenizer(Backbone backbone, int maxTokens, HuggingFaceTokenizer tokenizer) {
        this.backbone = backbone;
        this.maxTokens = maxTokens;
        this.tokenizer = tokenizer;
    }

    /**
     * Loads the backbone's tokenizer.
     *
     * @param maxTokens the most tokens per text, special tokens included; from 2 (the special
     *                  tokens alone) to the backbone's max positions
     */
    public static BackboneTokenizer load(Backbone backbone, int maxTokens) {
        if (maxTokens < 2 || maxTokens > backbone.maxPositions()) {
            throw new IllegalArgumentException("maxTokens must be between 2 and " + backbone.maxPositions()
                    + " (the max positions of backbone '" + backbone.id() + "'), was " + maxTokens);
        }
        Map<String, String> options = Map.of(
                "addSpecialTokens", "true",
                "truncation", "true",
                "padding", "false",
                "maxLength", Integer.toString(maxTokens),
                "modelMaxLength", Integer.toString(backbone.maxPositions()));
        try (InputStream json = backbone.openTokenizerJson()) {
            return new BackboneTokenizer(backbone, maxTokens, HuggingFaceTokenizer.newInstance(json, options));
        } catch (IOException e) {
            throw new UncheckedIOException("backbone '" + backbone.id() + "': cannot read tokenizer '"
                    + backbone.tokenizerResource() + "'", e);
        }
    }

    public Backbone backbone() {
        return backbone;
    }

    public int maxTokens() {
        return maxTokens;
    }

    public TokenizedText encode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        return toTokenized(tokenizer.encode(text));
    }

    /** Tokenizes many texts in one native call; the result is in input order. */
    public List<TokenizedText> encodeAll(List<String> texts) {
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                throw new IllegalArgumentException("texts[" + i + "] must not be null");
            }
        }
        Encoding[] encodings = tokenizer.batchEncode(texts);
        List<TokenizedText> result = new ArrayList<>(encodings.length);
        for (Encoding encoding : encodings) {
            result.add(toTokenized(encoding));
        }
        return result;
    }

    private static TokenizedText toTokenized(Encoding encoding) {
        return new TokenizedText(encoding.getIds(), encoding.getAttentionMask(), encoding.getTypeIds(),
                encoding.exceedMaxLength());
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
