package dev.streamtune.model.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.encoder.EncoderAdapter;
import java.util.List;

/**
 * A technique's own trainable arrays and how they change the encoder's forward pass: through
 * the {@link EncoderAdapter} hooks (replace a parameter, add to a dense layer's output) and/or by
 * prepending vectors to each row's input (prompts).
 */
interface Adaptation extends EncoderAdapter {

    /** The trainable arrays, named, in the technique's tensor order. */
    List<NDArray> parameters();

    /**
     * Vectors [rows, P, hidden] prepended to the word-piece vectors [rows, length, hidden], or
     * null; {@code mask} [rows, length] marks the real tokens (ATTEMPT pools over them).
     */
    default NDArray prefix(NDArray wordVectors, NDArray mask) {
        return null;
    }

    /**
     * The hooks used for inference: by default the training ones; LoRA merges its factors into
     * the weights instead. Arrays it creates go to {@code step}.
     */
    default EncoderAdapter forInference(NDManager step) {
        return this;
    }

    /**
     * Frozen tensors the forward pass reads that a consumer cannot know, appended to a published
     * delta after the trained ones (ATTEMPT's source prompts); none by default.
     */
    default List<NamedTensor> deltaContext() {
        return List.of();
    }
}
