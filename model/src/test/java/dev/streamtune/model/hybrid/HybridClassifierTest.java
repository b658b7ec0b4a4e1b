package dev.streamtune.model.hybrid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

@Tag("model")
class HybridClassifierTest {
    private static final int BUCKETS = 16;
    private static final int DIM = 2;

    @Test
    void logitsAreTheBiasPlusTfIdfWeightsPlusTheScaledUnitEmbedding() {
        LexicalTerms terms = new LexicalTerms(new int[] {1, 2}, new int[] {1, 3});
        float[] idf = new float[BUCKETS];
        java.util.Arrays.fill(idf, 1f);
        idf[2] = 2f;
        float[] lexical = new float[2 * BUCKETS];
        lexical[1] = 1f;              // class 0, bucket 1
        lexical[BUCKETS + 2] = 1f;    // class 1, bucket 2
        float[] dense = {1f, 0f, 0f, 1f};
        float[] bias = {0.5f, -0.5f};
        HybridClassifier model = new HybridClassifier(BUCKETS, DIM, 2, lexical, idf, dense, bias, 1f, 2f);
        float[] logits = model.logits(new float[] {3f, 4f}, terms);
        // tf-idf: bucket 1 -> (1 + ln 1) * 1 = 1, bucket 2 -> (1 + ln 3) * 2; then L2-normalised
        double v1 = 1;
        double v2 = (1 + Math.log(3)) * 2;
        double norm = Math.sqrt(v1 * v1 + v2 * v2);
        // embedding (3, 4) has norm 5, scaled by 2
        assertThat(logits[0]).isCloseTo((float) (0.5 + v1 / norm + 2 * 3 / 5.0), within(1e-5f));
        assertThat(logits[1]).isCloseTo((float) (-0.5 + v2 / norm + 2 * 4 / 5.0), within(1e-5f));
        float[] p = model.probabilities(new float[] {3f, 4f}, terms);
        assertThat(p[0] + p[1]).isCloseTo(1f, within(1e-6f));
    }

    @Test
    void aZeroScaleSwitchesItsHalfOff() {
        float[] idf = new float[BUCKETS];
        java.util.Arrays.fill(idf, 1f);
        float[] lexical = new float[2 * BUCKETS];
        lexical[5] = 4f;
        HybridClassifier embeddingOnly = new HybridClassifier(BUCKETS, DIM, 2, lexical, idf, new float[] {1, 0, 0, 1},
                new float[2], 0f, 1f);
        LexicalTerms terms = new LexicalTerms(new int[] {5}, new int[] {1});
        assertThat(embeddingOnly.logits(new float[] {1, 0}, terms)).containsExactly(1f, 0f);
        HybridClassifier lexicalOnly = new HybridClassifier(BUCKETS, DIM, 2, lexical, idf, new float[] {1, 0, 0, 1},
                new float[2], 1f, 0f);
        assertThat(lexicalOnly.logits(new float[] {1, 0}, terms)).containsExactly(4f, 0f);
    }

    @Test
    void bucketsFoldTheHashesAndTheDeltaRoundTrips() {
        float[] idf = HybridClassifier.idf(new int[] {0, 3, 1, 0}, 3);
        assertThat(idf[1]).isCloseTo((float) (Math.log(4.0 / 4.0) + 1), within(1e-6f));
        assertThat(idf[0]).isCloseTo((float) (Math.log(4.0) + 1), within(1e-6f));
        HybridClassifier.SparseRow row = HybridClassifier.lexicalRow(new LexicalTerms(new int[] {-7, 6}, new int[] {1, 1}),
                idf, 4, 1f);
        assertThat(row.indices()).containsExactly(-7 & 3, 6 & 3);
        HybridClassifier model = new HybridClassifier(4, DIM, 3, new float[12], idf, new float[6],
                new float[] {1, 2, 3}, 1f, 1f);
        Delta delta = DeltaCodec.encode(model.toTensors());
        HybridClassifier back = HybridClassifier.fromTensors(DeltaCodec.decode(delta,
                HybridClassifier.tensorSpecs(4, DIM, 3)));
        assertThat(back.toTensors()).isEqualTo(model.toTensors());
        assertThat(back.parameterCount()).isEqualTo(3L * (4 + DIM + 1));
    }

    @Test
    void shapesAndSettingsAreCheckedWithTheirLimits() {
        assertThatThrownBy(() -> HybridClassifier.tensorSpecs(3, DIM, 2)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new HybridClassifier(4, DIM, 2, new float[3], new float[4], new float[4], new float[2], 1, 1))
                .hasMessageContaining(HybridClassifier.LEXICAL_WEIGHT + " must have 8 values");
        assertThat(HybridClassifier.defaultBuckets(2)).isEqualTo(1 << 18);
        assertThat(HybridClassifier.defaultBuckets(20)).isEqualTo(1 << 16);
        assertThat(HybridClassifier.defaultBuckets(100_000)).isEqualTo(1 << 12);
    }
}
