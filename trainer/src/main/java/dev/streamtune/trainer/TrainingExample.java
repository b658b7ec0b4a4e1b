package dev.streamtune.trainer;

import dev.streamtune.model.hybrid.LexicalTerms;
import java.util.Arrays;
import java.util.Objects;

/**
 * One training example as the trainer sees it, decoded from the wire records (Avro's
 * {@code LabelledExample} and {@code FeatureVector}): a pooled embedding (or, for the encoder
 * techniques, token ids; see {@link #tokens}), the index of its label in the trainer's label
 * list, its weight from the source event, and for the hybrid technique the text's hashed word
 * n-grams ({@code terms}, null otherwise).
 */
public record TrainingExample(float[] features, int labelIndex, float weight, LexicalTerms terms) {
    private static final int MAX_EXACT_ID = 1 << 24;

    /** An example without lexical terms (every technique but hybrid). */
    public TrainingExample(float[] features, int labelIndex, float weight) {
        this(features, labelIndex, weight, null);
    }

    public TrainingExample {
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

    public static TrainingExample of(float[] features, int labelIndex) {
        return new TrainingExample(features, labelIndex, 1f);
    }

    /**
     * A tokenized text for the encoder techniques: its word-piece ids (special tokens included, no
     * padding) stored as floats, which hold every id below 2^24 exactly, so that the replay
     * buffer and the checkpoint format serve both input kinds unchanged.
     */
    public static TrainingExample tokens(int[] tokenIds, int labelIndex, float weight) {
        float[] values = new float[tokenIds.length];
        for (int i = 0; i < tokenIds.length; i++) {
            if (tokenIds[i] < 0 || tokenIds[i] >= MAX_EXACT_ID) {
                throw new IllegalArgumentException("token id at " + i + " must be in [0, " + MAX_EXACT_ID + "), got "
                        + tokenIds[i]);
            }
            values[i] = tokenIds[i];
        }
        return new TrainingExample(values, labelIndex, weight);
    }

    /** The word-piece ids of an example made by {@link #tokens}. */
    public int[] tokenIds() {
        int[] ids = new int[features.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) features[i];
        }
        return ids;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TrainingExample that && labelIndex == that.labelIndex
                && Float.compare(weight, that.weight) == 0 && Arrays.equals(features, that.features)
                && Objects.equals(terms, that.terms);
    }

    @Override
    public int hashCode() {
        return Objects.hash(labelIndex, weight, Arrays.hashCode(features), terms);
    }

    @Override
    public String toString() {
        return "TrainingExample[label=" + labelIndex + ", weight=" + weight + ", dim=" + features.length + "]";
    }
}
