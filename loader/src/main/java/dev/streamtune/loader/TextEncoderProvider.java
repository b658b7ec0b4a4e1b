package dev.streamtune.loader;

import dev.streamtune.model.TextEncoder;
import dev.streamtune.model.backbone.Backbone;

/**
 * Gives a loaded model the encoder of its backbone, so that {@link LoadedModel#predictText} works. The loader asks
 * for it while loading, before the model is swapped in, so a slow first open never stalls serving.
 */
@FunctionalInterface
public interface TextEncoderProvider {
    TextEncoder forBackbone(Backbone backbone);

    /**
     * For services that only score pooled features (the evaluator): every text prediction fails with an error that
     * says so.
     */
    TextEncoderProvider NONE = backbone -> TextEncoder.perText(backbone.id(), "none", text -> {
        throw new IllegalStateException("this model loader has no text encoder for backbone '" + backbone.id()
                + "'; predict from pooled features, or give the loader a TextEncoderProvider");
    });

    /** Every backbone encoded by {@code encode}, for fakes in tests and for encoders that need no weights. */
    static TextEncoderProvider perText(java.util.function.Function<String, float[]> encode) {
        return backbone -> TextEncoder.perText(backbone.id(), "unknown", encode);
    }
}
