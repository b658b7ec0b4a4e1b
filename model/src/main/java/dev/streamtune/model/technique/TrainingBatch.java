package dev.streamtune.model.technique;

import java.util.Objects;

/**
 * One micro-batch: inputs, a label index per row, and a non-negative loss weight per row
 * (class weight times example weight; the loss is the weight-normalised mean).
 */
public record TrainingBatch(BatchInput input, int[] labels, float[] lossWeights) {
    public TrainingBatch {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(lossWeights, "lossWeights");
        if (labels.length != input.rows() || lossWeights.length != input.rows()) {
            throw new IllegalArgumentException("batch of " + input.rows() + " rows has " + labels.length
                    + " labels and " + lossWeights.length + " loss weights");
        }
        for (int i = 0; i < lossWeights.length; i++) {
            if (!(lossWeights[i] >= 0f) || Float.isInfinite(lossWeights[i])) {
                throw new IllegalArgumentException("loss weight at row " + i + " must be finite and >= 0, got "
                        + lossWeights[i]);
            }
        }
    }

    public int size() {
        return input.rows();
    }
}
