package dev.streamtune.model.backbone;

import java.nio.FloatBuffer;

/**
 * The sentence-transformers pooling for all-MiniLM-L6-v2: the mean of the token vectors whose
 * attention mask is 1 (padding excluded), then L2 normalization. Sums are accumulated in double so
 * the result does not depend on how much padding a batch carries.
 */
public final class MeanPooling {

    /** sentence-transformers clamps the token count with this floor ({@code torch.clamp(min=1e-9)}). */
    private static final double MIN_TOKENS = 1e-9;
    /** {@code torch.nn.functional.normalize}'s default eps. */
    private static final double MIN_NORM = 1e-12;

    private MeanPooling() {
    }

    /**
     * Pools row {@code row} of a flat [batch, sequence, hidden] buffer.
     *
     * @param mask the row's attention mask; entries past its length count as padding
     */
    public static float[] poolAndNormalize(FloatBuffer hiddenStates, int row, int sequenceLength, int hiddenSize,
                                           long[] mask) {
        double[] sum = new double[hiddenSize];
        long tokens = 0;
        int rowStart = row * sequenceLength * hiddenSize;
        int realTokens = Math.min(mask.length, sequenceLength);
        for (int t = 0; t < realTokens; t++) {
            if (mask[t] == 0) {
                continue;
            }
            tokens++;
            int offset = rowStart + t * hiddenSize;
            for (int h = 0; h < hiddenSize; h++) {
                sum[h] += hiddenStates.get(offset + h);
            }
        }
        double count = Math.max(tokens, MIN_TOKENS);
        double squares = 0;
        for (int h = 0; h < hiddenSize; h++) {
            sum[h] /= count;
            squares += sum[h] * sum[h];
        }
        double norm = Math.max(Math.sqrt(squares), MIN_NORM);
        float[] pooled = new float[hiddenSize];
        for (int h = 0; h < hiddenSize; h++) {
            pooled[h] = (float) (sum[h] / norm);
        }
        return pooled;
    }
}
