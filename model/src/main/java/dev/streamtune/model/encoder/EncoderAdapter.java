package dev.streamtune.model.encoder;

import ai.djl.ndarray.NDArray;

/**
 * How a fine-tuning technique reaches inside the frozen encoder's forward pass without copying
 * it: by standing in its own (trainable) array for a named parameter (BitFit, unfrozen layers,
 * merged LoRA weights), or by adding a term to a dense layer's output (LoRA's low-rank update).
 * Both hooks default to "change nothing".
 */
public interface EncoderAdapter {

    /** The frozen encoder, unchanged. */
    EncoderAdapter NONE = new EncoderAdapter() {
    };

    /** The array the forward pass uses for parameter {@code name}; by default the frozen one. */
    default NDArray parameter(String name, NDArray frozen) {
        return frozen;
    }

    /**
     * A term added to the output of dense layer {@code layer} (e.g. {@code encoder.layer.0.attention.self.query})
     * for the input {@code input} [batch, length, in], or null for none.
     */
    default NDArray denseResidual(String layer, NDArray input) {
        return null;
    }
}
