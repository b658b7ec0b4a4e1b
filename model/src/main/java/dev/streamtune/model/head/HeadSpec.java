package dev.streamtune.model.head;

import dev.streamtune.model.delta.TensorSpec;
import java.util.List;
import java.util.Objects;

/**
 * What a head looks like, independent of how many labels it currently has.
 *
 * @param kind linear or MLP
 * @param inputDim width of the pooled embedding fed to the head
 * @param hiddenSize width of the MLP's hidden layer; must be 0 for a linear head
 * @param dropout dropout probability after the hidden layer while training; must be 0 for a linear head
 */
public record HeadSpec(HeadKind kind, int inputDim, int hiddenSize, float dropout) {
    public static final int MAX_WIDTH = 65_536;
    public static final float MAX_DROPOUT = 0.9f;

    public HeadSpec {
        Objects.requireNonNull(kind, "kind");
        if (inputDim < 1 || inputDim > MAX_WIDTH) {
            throw new IllegalArgumentException("head inputDim must be in [1, " + MAX_WIDTH + "], got " + inputDim);
        }
        if (kind == HeadKind.MLP) {
            if (hiddenSize < 1 || hiddenSize > MAX_WIDTH) {
                throw new IllegalArgumentException("head hiddenSize must be in [1, " + MAX_WIDTH
                        + "] for an MLP head, got " + hiddenSize);
            }
            if (!(dropout >= 0f && dropout <= MAX_DROPOUT)) {
                throw new IllegalArgumentException("head dropout must be in [0, " + MAX_DROPOUT + "], got " + dropout);
            }
        } else {
            if (hiddenSize != 0) {
                throw new IllegalArgumentException("head hiddenSize must be 0 for a linear head, got " + hiddenSize);
            }
            if (dropout != 0f) {
                throw new IllegalArgumentException("head dropout must be 0 for a linear head, got " + dropout);
            }
        }
    }

    public static HeadSpec linear(int inputDim) {
        return new HeadSpec(HeadKind.LINEAR, inputDim, 0, 0f);
    }

    public static HeadSpec mlp(int inputDim, int hiddenSize, float dropout) {
        return new HeadSpec(HeadKind.MLP, inputDim, hiddenSize, dropout);
    }

    /** The trained tensors, in parameter order, for a head with {@code labelCount} outputs. */
    public List<TensorSpec> tensorSpecs(int labelCount) {
        if (labelCount < 1) {
            throw new IllegalArgumentException("labelCount must be at least 1, got " + labelCount);
        }
        if (kind == HeadKind.LINEAR) {
            return List.of(new TensorSpec(HeadNetwork.OUTPUT_WEIGHT, new long[] {labelCount, inputDim}),
                    new TensorSpec(HeadNetwork.OUTPUT_BIAS, new long[] {labelCount}));
        }
        return List.of(new TensorSpec(HeadNetwork.HIDDEN_WEIGHT, new long[] {hiddenSize, inputDim}),
                new TensorSpec(HeadNetwork.HIDDEN_BIAS, new long[] {hiddenSize}),
                new TensorSpec(HeadNetwork.OUTPUT_WEIGHT, new long[] {labelCount, hiddenSize}),
                new TensorSpec(HeadNetwork.OUTPUT_BIAS, new long[] {labelCount}));
    }

    public long parameterCount(int labelCount) {
        return tensorSpecs(labelCount).stream().mapToLong(TensorSpec::elementCount).sum();
    }
}
