package dev.streamtune.trainer;

import dev.streamtune.model.head.HeadKind;
import dev.streamtune.model.head.HeadSpec;
import java.util.Objects;

/**
 * The head a task trains, as chosen by its settings.
 *
 * @param hiddenSize MLP hidden width (ignored for, and must be 0 with, a linear head)
 * @param dropout MLP dropout probability in [0, 0.9] (must be 0 with a linear head)
 */
public record HeadConfig(HeadKind kind, int hiddenSize, float dropout) {
    public HeadConfig {
        Objects.requireNonNull(kind, "kind");
        // HeadSpec holds the limits; checking here with a placeholder width reports them at config time
        new HeadSpec(kind, 1, hiddenSize, dropout);
    }

    public static HeadConfig linear() {
        return new HeadConfig(HeadKind.LINEAR, 0, 0f);
    }

    public static HeadConfig mlp(int hiddenSize, float dropout) {
        return new HeadConfig(HeadKind.MLP, hiddenSize, dropout);
    }

    public HeadSpec toSpec(int inputDim) {
        return new HeadSpec(kind, inputDim, hiddenSize, dropout);
    }
}
