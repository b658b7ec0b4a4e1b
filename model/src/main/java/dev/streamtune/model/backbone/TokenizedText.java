package dev.streamtune.model.backbone;

/**
 * One text after tokenization, special tokens included, unpadded: {@code inputIds},
 * {@code attentionMask} and {@code tokenTypeIds} have the same length, the token count.
 * The arrays are shared, not copied; treat them as read-only.
 *
 * @param truncated whether the text had more tokens than the tokenizer's limit and was cut
 */
public record TokenizedText(long[] inputIds, long[] attentionMask, long[] tokenTypeIds, boolean truncated) {

    public TokenizedText {
        if (inputIds.length == 0) {
            throw new IllegalArgumentException("inputIds must not be empty");
        }
        if (attentionMask.length != inputIds.length || tokenTypeIds.length != inputIds.length) {
            throw new IllegalArgumentException("inputIds (" + inputIds.length + "), attentionMask (" + attentionMask.length
                    + ") and tokenTypeIds (" + tokenTypeIds.length + ") must have the same length");
        }
    }

    /** Number of tokens, special tokens included. */
    public int tokenCount() {
        return inputIds.length;
    }

    /** The ids as the {@code int} rows a token batch holds (word-piece ids fit easily). */
    public int[] intIds() {
        return toInts(inputIds);
    }

    /** The attention mask as {@code int}s. */
    public int[] intMask() {
        return toInts(attentionMask);
    }

    private static int[] toInts(long[] values) {
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            ints[i] = Math.toIntExact(values[i]);
        }
        return ints;
    }
}
