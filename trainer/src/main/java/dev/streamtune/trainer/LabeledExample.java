package dev.streamtune.trainer;

import java.util.Arrays;
import java.util.Objects;

/**
 * One training example as the trainer sees it: a pooled embedding, the index of its label in
 * the trainer's label list, and its weight from the source event.
 */
public record LabeledExample(float[] features, int labelIndex, float weight) {
    public LabeledExample {
        Objects.requireNonNull(features, "features");
        if (labelIndex < 0) {
            throw new IllegalArgumentException("labelIndex must be >= 0, got " + labelIndex);
        }
        if (!(weight >= 0f) || Float.isInfinite(weight)) {
            throw new IllegalArgumentException("weight must be finite and >= 0, got " + weight);
        }
        for (int i = 0; i < features.length; i++) {
            if (!Float.isFinite(features[i])) {
                // one NaN in a batch would turn every trained weight into NaN
                throw new IllegalArgumentException("features[" + i + "] must be finite, got " + features[i]);
            }
        }
    }

    public static LabeledExample of(float[] features, int labelIndex) {
        return new LabeledExample(features, labelIndex, 1f);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LabeledExample that && labelIndex == that.labelIndex
                && Float.compare(weight, that.weight) == 0 && Arrays.equals(features, that.features);
    }

    @Override
    public int hashCode() {
        return Objects.hash(labelIndex, weight, Arrays.hashCode(features));
    }

    @Override
    public String toString() {
        return "LabeledExample[label=" + labelIndex + ", weight=" + weight + ", dim=" + features.length + "]";
    }
}
