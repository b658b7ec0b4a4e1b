package dev.streamtune.model.peft;

import dev.streamtune.model.encoder.EncoderArchitecture;
import dev.streamtune.model.technique.TechniqueSpec;

/**
 * What a technique must know about the encoder to name and size its tensors before any encoder is
 * loaded ({@link dev.streamtune.model.technique.Technique#tensorSpecs} has only the spec): the
 * hidden width is the head's input width, and the depth and intermediate width default to
 * all-MiniLM-L6-v2's (options {@code encoder_layers}, {@code encoder_intermediate}). A technique
 * checks them against the real encoder when it builds a model.
 */
record EncoderShape(int layers, int hidden, int intermediate) {
    static final String LAYERS = "encoder_layers";
    static final String INTERMEDIATE = "encoder_intermediate";

    static EncoderShape of(TechniqueSpec spec) {
        int hidden = spec.head().inputDim();
        return new EncoderShape(PeftOptions.intOption(spec, LAYERS, 6, 1, 256), hidden,
                PeftOptions.intOption(spec, INTERMEDIATE, 4 * hidden, 1, 1 << 20));
    }

    void requireMatches(EncoderArchitecture architecture, String techniqueId) {
        if (architecture.layers() != layers || architecture.hidden() != hidden
                || architecture.intermediate() != intermediate) {
            throw new IllegalArgumentException("technique '" + techniqueId + "' was specified for an encoder with "
                    + layers + " layers, hidden " + hidden + " (the head's inputDim) and intermediate " + intermediate
                    + ", but the encoder has " + architecture.layers() + ", " + architecture.hidden() + " and "
                    + architecture.intermediate());
        }
    }
}
