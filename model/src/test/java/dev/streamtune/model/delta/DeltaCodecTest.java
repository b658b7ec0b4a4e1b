package dev.streamtune.model.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

@Tag("model")
class DeltaCodecTest {
    private static final List<NamedTensor> TENSORS = List.of(
            new NamedTensor("output.weight", new long[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-7f, -0f}),
            new NamedTensor("output.bias", new long[] {2}, new float[] {0.25f, -9f}));
    private static final List<TensorSpec> SPECS = TENSORS.stream().map(NamedTensor::spec).toList();

    @Test
    void roundTripsNamedTensorsBitForBit() {
        Delta delta = DeltaCodec.encode(TENSORS);

        assertThat(delta.format()).isEqualTo(DeltaCodec.NDLIST_V1);
        assertThat(delta.sha256()).isEqualTo(Delta.sha256Hex(delta.bytes()));
        assertThat(DeltaCodec.decode(delta, SPECS)).isEqualTo(TENSORS);
    }

    @Test
    void refusesDigestMismatch() {
        Delta good = DeltaCodec.encode(TENSORS);
        byte[] tampered = good.bytes();
        tampered[tampered.length - 1] ^= 1;
        Delta bad = new Delta(good.format(), tampered, good.sha256());

        assertThatThrownBy(() -> DeltaCodec.decode(bad, SPECS)).isInstanceOf(DeltaRejectedException.class)
                .hasMessageContaining("digest mismatch").hasMessageContaining(good.sha256());
    }

    @Test
    void refusesWrongShape() {
        Delta delta = DeltaCodec.encode(TENSORS);
        List<TensorSpec> expectThreeLabels = List.of(new TensorSpec("output.weight", new long[] {3, 3}),
                new TensorSpec("output.bias", new long[] {3}));

        assertThatThrownBy(() -> DeltaCodec.decode(delta, expectThreeLabels)).isInstanceOf(DeltaRejectedException.class)
                .hasMessageContaining("output.weight").hasMessageContaining("(2, 3)").hasMessageContaining("(3, 3)");
    }

    @Test
    void refusesUnknownFormatMissingAndExtraTensorsAndGarbage() {
        Delta delta = DeltaCodec.encode(TENSORS);
        assertThatThrownBy(() -> DeltaCodec.decode(Delta.of("torchscript", delta.bytes()), SPECS))
                .isInstanceOf(DeltaRejectedException.class).hasMessageContaining("unknown delta format 'torchscript'");
        assertThatThrownBy(() -> DeltaCodec.decode(delta, SPECS.subList(0, 1)))
                .isInstanceOf(DeltaRejectedException.class).hasMessageContaining("delta holds 2 tensors")
                .hasMessageContaining("more than the 1 expected: [output.weight[2, 3]]");
        assertThatThrownBy(() -> DeltaCodec.decode(delta, List.of(SPECS.get(0), new TensorSpec("hidden.bias", new long[] {4}))))
                .isInstanceOf(DeltaRejectedException.class).hasMessageContaining("unexpected tensor 'output.bias'");
        assertThatThrownBy(() -> DeltaCodec.decode(delta,
                List.of(SPECS.get(0), SPECS.get(1), new TensorSpec("hidden.bias", new long[] {4}))))
                .isInstanceOf(DeltaRejectedException.class).hasMessageContaining("lacks tensor 'hidden.bias'");
        assertThatThrownBy(() -> DeltaCodec.decode(Delta.of(DeltaCodec.NDLIST_V1, new byte[] {1, 2, 3, 4, 5}), SPECS))
                .isInstanceOf(DeltaRejectedException.class).hasMessageContaining("not a readable");
    }

    @Test
    void deltaValidatesItsDigestText() {
        assertThatThrownBy(() -> new Delta("x", new byte[0], "abc")).hasMessageContaining("64 lower-case hex");
    }
}
