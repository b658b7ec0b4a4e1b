package dev.streamtune.model.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.DeltaRejectedException;
import dev.streamtune.model.technique.DeterministicRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

@Tag("model")
class PredictorTest {
    private static final BaseModelRef BASE = new BaseModelRef("all-minilm-l6-v2", "a".repeat(64));
    private static final List<String> LABELS = List.of("ham", "spam", "phish");

    @Test
    void linearPredictorEqualsDjlForward() {
        checkEqualsDjl(HeadSpec.linear(384));
    }

    @Test
    void mlpPredictorEqualsDjlForward() {
        checkEqualsDjl(HeadSpec.mlp(384, 64, 0.2f));
    }

    private void checkEqualsDjl(HeadSpec spec) {
        DeterministicRandom rng = new DeterministicRandom(3);
        int rows = 20;
        float[] features = new float[rows * spec.inputDim()];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) rng.nextGaussian();
        }
        try (NDManager manager = NDManager.newBaseManager();
                HeadNetwork head = HeadNetwork.initialize(spec, LABELS.size(), manager, new DeterministicRandom(8))) {
            float[] djlLogits = head.logits(features, rows, manager).toFloatArray();
            float[] djlProbabilities = manager.create(djlLogits, new Shape(rows, LABELS.size())).softmax(1).toFloatArray();
            Predictor predictor = Predictor.load(BASE, spec, LABELS, DeltaCodec.encode(head.exportTensors()));

            for (int r = 0; r < rows; r++) {
                float[] row = java.util.Arrays.copyOfRange(features, r * spec.inputDim(), (r + 1) * spec.inputDim());
                float[] logits = predictor.logits(row);
                Predictor.Prediction prediction = predictor.predict(row);
                int best = 0;
                for (int c = 0; c < LABELS.size(); c++) {
                    assertThat(logits[c]).isCloseTo(djlLogits[r * LABELS.size() + c], offset(1e-5f));
                    assertThat(prediction.probabilities()[c]).isCloseTo(djlProbabilities[r * LABELS.size() + c], offset(1e-5f));
                    if (djlLogits[r * LABELS.size() + c] > djlLogits[r * LABELS.size() + best]) {
                        best = c;
                    }
                }
                assertThat(prediction.label()).isEqualTo(LABELS.get(best));
            }
        }
    }

    @Test
    void refusesDeltaWhoseDigestDoesNotMatch() {
        try (NDManager manager = NDManager.newBaseManager();
                HeadNetwork head = HeadNetwork.initialize(HeadSpec.linear(4), 3, manager, new DeterministicRandom(8))) {
            Delta delta = DeltaCodec.encode(head.exportTensors());
            Delta forged = new Delta(delta.format(), delta.bytes(), "0".repeat(64));
            assertThatThrownBy(() -> Predictor.load(BASE, HeadSpec.linear(4), LABELS, forged))
                    .isInstanceOf(DeltaRejectedException.class).hasMessageContaining("digest mismatch");
            assertThatThrownBy(() -> Predictor.load(BASE, HeadSpec.linear(4), List.of("a", "b"), delta))
                    .isInstanceOf(DeltaRejectedException.class).hasMessageContaining("shape");
        }
    }
}
