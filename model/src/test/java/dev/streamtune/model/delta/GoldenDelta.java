package dev.streamtune.model.delta;

import java.util.List;

/** The tensors of the golden head delta fixture {@code golden/head-delta-djl-ndlist-v1.bin}, and its digest. */
final class GoldenDelta {
    static final String SHA256 = "c298eaa28526927eca8781035b7a9890f7652fccb8cd271a84c878f2275d69a7";

    private GoldenDelta() {
    }

    static List<NamedTensor> tensors() {
        return List.of(
                new NamedTensor("output.weight", new long[] {3, 4}, new float[] {
                    0.5f, -1.25f, 3.0e-3f, 0f, -0f, 1e-40f, 7.75f, -2f, 1f / 3, Float.MAX_VALUE, -1e-7f, 42f}),
                new NamedTensor("output.bias", new long[] {3}, new float[] {0.125f, -9f, 1e6f}));
    }
}
