package dev.streamtune.model.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.streamtune.model.backbone.TokenizedText;
import java.util.List;

/**
 * Token rows of different lengths padded to the longest (dynamic padding): ids [rows, length]
 * with 0 ([PAD]) after each row's end, and a float mask with 1 for real tokens.
 */
public record PaddedTokens(long[] ids, float[] mask, int rows, int length) {

    public PaddedTokens {
        if (rows < 1 || length < 1 || ids.length != rows * length || mask.length != rows * length) {
            throw new IllegalArgumentException("padded tokens need rows x length ids and mask entries, got rows=" + rows
                    + " length=" + length + " ids=" + ids.length + " mask=" + mask.length);
        }
    }

    /**
     * @param maxTokens the longest row allowed; longer rows are refused rather than cut, because
     *     cutting would drop the closing [SEP] the tokenizer put there (tokenize with this limit instead)
     */
    public static PaddedTokens of(int[][] ids, int[][] attentionMask, int maxTokens) {
        int rows = ids.length;
        if (rows == 0) {
            throw new IllegalArgumentException("a token batch needs at least one row");
        }
        int length = 0;
        for (int r = 0; r < rows; r++) {
            if (ids[r].length == 0) {
                throw new IllegalArgumentException("token row " + r + " is empty");
            }
            if (ids[r].length > maxTokens) {
                throw new IllegalArgumentException("token row " + r + " has " + ids[r].length
                        + " tokens, more than maxTokens=" + maxTokens + " (tokenize with that limit)");
            }
            length = Math.max(length, ids[r].length);
        }
        long[] flatIds = new long[rows * length];
        float[] flatMask = new float[rows * length];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < ids[r].length; t++) {
                flatIds[r * length + t] = ids[r][t];
                flatMask[r * length + t] = attentionMask[r][t] != 0 ? 1f : 0f;
            }
        }
        return new PaddedTokens(flatIds, flatMask, rows, length);
    }

    public static PaddedTokens of(List<TokenizedText> texts, int maxTokens) {
        int[][] ids = new int[texts.size()][];
        int[][] mask = new int[texts.size()][];
        for (int r = 0; r < texts.size(); r++) {
            TokenizedText text = texts.get(r);
            ids[r] = new int[text.tokenCount()];
            mask[r] = new int[text.tokenCount()];
            for (int t = 0; t < text.tokenCount(); t++) {
                ids[r][t] = Math.toIntExact(text.inputIds()[t]);
                mask[r][t] = (int) text.attentionMask()[t];
            }
        }
        return of(ids, mask, maxTokens);
    }

    public NDArray idsArray(NDManager manager) {
        return manager.create(ids, new Shape(rows, length));
    }

    public NDArray maskArray(NDManager manager) {
        return manager.create(mask, new Shape(rows, length));
    }
}
