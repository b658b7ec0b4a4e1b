package dev.streamtune.loader;

import dev.streamtune.model.hybrid.LexicalTerms;
import java.util.ArrayList;
import java.util.List;

/**
 * A verified model version, ready to predict. Immutable and thread-safe: a subscriber swaps whole instances, so a
 * call that started on one version finishes on it.
 *
 * <p>Every model predicts from text. Head-only models also predict from a pooled embedding the caller already has
 * (the evaluator scores materialized feature vectors that way); techniques that change the encoder itself (prompts,
 * LoRA, unfrozen layers) cannot, and say so through {@link #acceptsPooledFeatures()}.
 */
public interface LoadedModel {
    String task();

    long version();

    /** Labels in output order, as recorded in the model version. */
    List<String> labels();

    String backboneId();

    String techniqueId();

    /** sha256 of the delta this model was built from, already verified. */
    String deltaSha256();

    /** Whether {@link #predictFeatures} works: true when the encoder is the frozen backbone itself. */
    boolean acceptsPooledFeatures();

    /**
     * Predicts from the frozen backbone's pooled embedding of an input.
     *
     * @throws UnsupportedOperationException when {@link #acceptsPooledFeatures()} is false
     */
    Prediction predictFeatures(float[] pooledEmbedding);

    /**
     * Predicts from what the featurizer computed for an input: its pooled embedding and the whole text's hashed word
     * n-grams. Models that read only the embedding ignore {@code terms}; the hybrid technique reads both.
     *
     * @throws UnsupportedOperationException when {@link #acceptsPooledFeatures()} is false
     */
    default Prediction predictFeatures(float[] pooledEmbedding, LexicalTerms terms) {
        return predictFeatures(pooledEmbedding);
    }

    /** Predicts from text, running whatever part of the backbone the version needs. */
    Prediction predictText(String text);

    /**
     * Predicts many texts, in their order. Models that run the encoder themselves override this to batch the texts
     * (padded to the longest in each batch), which is how an evaluator scores a held-out set.
     */
    default List<Prediction> predictTexts(List<String> texts) {
        List<Prediction> predictions = new ArrayList<>(texts.size());
        for (String text : texts) {
            predictions.add(predictText(text));
        }
        return predictions;
    }
}
