package dev.streamtune.model.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.technique.DeterministicRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

@Tag("model")
class HeadNetworkTest {
    private static final int BATCH = 6;
    private static final int DIM = 10;
    private static final int LABELS = 3;

    @Test
    void linearGradientsEqualDjlAutograd() {
        checkAgainstAutograd(HeadSpec.linear(DIM));
    }

    @Test
    void mlpGradientsEqualDjlAutograd() {
        checkAgainstAutograd(HeadSpec.mlp(DIM, 7, 0f));
    }

    @Test
    void mlpWithDropoutGradientsEqualDjlAutogradUnderTheSameMask() {
        checkAgainstAutograd(HeadSpec.mlp(DIM, 7, 0.5f));
    }

    private void checkAgainstAutograd(HeadSpec spec) {
        DeterministicRandom data = new DeterministicRandom(11);
        float[] features = new float[BATCH * DIM];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) data.nextGaussian();
        }
        int[] labels = {0, 1, 2, 1, 0, 2};
        float[] weights = {1f, 2f, 0.5f, 1f, 3f, 1f};
        long dropoutSeed = 99;

        try (NDManager manager = NDManager.newBaseManager();
                HeadNetwork head = HeadNetwork.initialize(spec, LABELS, manager, new DeterministicRandom(5))) {
            NDManager step = manager.newSubManager();
            HeadNetwork.LossAndGradients analytic = head.lossAndGradients(features, BATCH, labels, weights,
                    new DeterministicRandom(dropoutSeed), step);
            List<NamedTensor> analyticGradients = new java.util.ArrayList<>();
            for (int layer = 0; layer < analytic.gradients().size(); layer++) {
                NDArray gradient = analytic.gradients().get(layer);
                analyticGradients.addAll(HeadNetwork.split(new NamedTensor("g", gradient.getShape().getShape(),
                        gradient.toFloatArray()), "w" + layer, "b" + layer));
            }

            List<NamedTensor> tensors = head.exportTensors();
            try (NDManager reference = NDManager.newBaseManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDList params = new NDList();
                for (NamedTensor tensor : tensors) {
                    NDArray array = reference.create(tensor.values(), new Shape(tensor.shape()));
                    array.setRequiresGradient(true);
                    params.add(array);
                }
                NDArray x = reference.create(features, new Shape(BATCH, DIM));
                NDArray logits;
                if (spec.kind() == HeadKind.LINEAR) {
                    logits = Linear.linear(x, params.get(0), params.get(1)).singletonOrThrow();
                } else {
                    NDArray hidden = Activation.relu(Linear.linear(x, params.get(0), params.get(1)).singletonOrThrow());
                    if (spec.dropout() > 0) {
                        DeterministicRandom maskRng = new DeterministicRandom(dropoutSeed);
                        float[] mask = new float[BATCH * spec.hiddenSize()];
                        for (int i = 0; i < mask.length; i++) {
                            mask[i] = maskRng.nextFloat() < 1f - spec.dropout() ? 1f / (1f - spec.dropout()) : 0f;
                        }
                        hidden = hidden.mul(reference.create(mask, new Shape(BATCH, spec.hiddenSize())));
                    }
                    logits = Linear.linear(hidden, params.get(2), params.get(3)).singletonOrThrow();
                }
                float[] target = new float[BATCH * LABELS];
                float weightSum = 0;
                for (float w : weights) {
                    weightSum += w;
                }
                for (int i = 0; i < BATCH; i++) {
                    target[i * LABELS + labels[i]] = weights[i] / weightSum;
                }
                NDArray loss = logits.logSoftmax(1).mul(reference.create(target, new Shape(BATCH, LABELS))).sum().neg();
                collector.backward(loss);

                assertThat(analytic.loss()).isCloseTo(loss.getFloat(), org.assertj.core.data.Offset.offset(1e-5f));
                for (int p = 0; p < params.size(); p++) {
                    float[] expected = params.get(p).getGradient().toFloatArray();
                    float[] actual = analyticGradients.get(p).values();
                    assertThat(actual).as("gradient of " + tensors.get(p).name())
                            .containsExactly(expected, org.assertj.core.data.Offset.offset(1e-5f));
                }
            }
            step.close();
        }
    }

    @Test
    void growingKeepsOldRowsExactlyAndAddsZeroRows() {
        try (NDManager manager = NDManager.newBaseManager();
                HeadNetwork head = HeadNetwork.initialize(HeadSpec.mlp(DIM, 4, 0.1f), 2, manager, new DeterministicRandom(1))) {
            List<NamedTensor> before = head.exportTensors();
            head.growLabels(3);
            List<NamedTensor> after = head.exportTensors();

            assertThat(head.labelCount()).isEqualTo(3);
            assertThat(after.get(0)).isEqualTo(before.get(0));
            assertThat(after.get(1)).isEqualTo(before.get(1));
            assertThat(after.get(2).shape()).containsExactly(3, 4);
            float[] oldWeights = before.get(2).values();
            float[] newWeights = after.get(2).values();
            for (int i = 0; i < oldWeights.length; i++) {
                assertThat(newWeights[i]).isEqualTo(oldWeights[i]);
            }
            for (int i = oldWeights.length; i < newWeights.length; i++) {
                assertThat(newWeights[i]).isZero();
            }
            assertThat(after.get(3).values()).startsWith(before.get(3).values()).endsWith(0f);
            assertThatThrownBy(() -> head.growLabels(2)).hasMessageContaining("never shrinks");
        }
    }

    @Test
    void badLabelIndexNamesRowAndLimit() {
        try (NDManager manager = NDManager.newBaseManager();
                HeadNetwork head = HeadNetwork.initialize(HeadSpec.linear(2), 2, manager, new DeterministicRandom(1))) {
            float[] x = {1, 2, 3, 4};
            assertThatThrownBy(() -> head.lossAndGradients(x, 2, new int[] {0, 5}, new float[] {1, 1}, null, manager))
                    .hasMessageContaining("row 1").hasMessageContaining("[0, 2)");
        }
    }

    @Test
    void specValidationNamesFieldAndLimit() {
        assertThatThrownBy(() -> HeadSpec.mlp(384, 0, 0.1f)).hasMessageContaining("hiddenSize").hasMessageContaining("65536");
        assertThatThrownBy(() -> HeadSpec.mlp(384, 16, 0.95f)).hasMessageContaining("dropout").hasMessageContaining("0.9");
        assertThatThrownBy(() -> HeadSpec.linear(0)).hasMessageContaining("inputDim");
        assertThatThrownBy(() -> new HeadSpec(HeadKind.LINEAR, 4, 8, 0f)).hasMessageContaining("hiddenSize must be 0");
        assertThatThrownBy(() -> HeadKind.parse("conv")).hasMessageContaining("LINEAR");
    }

    @Test
    void resultsStayValidWhenTheNextBatchIsStagedInTheSameStepManager() {
        // staging buffers are reused and the CPU engine wraps them without copying
        float[] first = {1, 2, 3, -1, 0, 2};
        float[] second = {-5, 7, 9, 4, 4, 4};
        try (NDManager manager = NDManager.newBaseManager();
                HeadNetwork head = HeadNetwork.initialize(HeadSpec.mlp(3, 4, 0f), 2, manager, new DeterministicRandom(1));
                NDManager step = manager.newSubManager()) {
            HeadNetwork.LossAndGradients a = head.lossAndGradients(first, 2, new int[] {0, 1}, new float[] {1, 1}, null, step);
            float[] gradientBefore = a.gradients().get(0).toFloatArray();
            NDArray logits = head.logits(first, 2, step);
            float[] logitsBefore = logits.toFloatArray();

            head.lossAndGradients(second, 2, new int[] {1, 0}, new float[] {1, 1}, null, step);
            head.logits(second, 2, step);

            assertThat(a.gradients().get(0).toFloatArray()).containsExactly(gradientBefore);
            assertThat(logits.toFloatArray()).containsExactly(logitsBefore);
        }
    }
}
