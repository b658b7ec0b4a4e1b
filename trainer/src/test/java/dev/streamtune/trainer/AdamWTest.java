package dev.streamtune.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.streamtune.model.technique.DeterministicRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

@Tag("model")
class AdamWTest {

    /** torch.optim.AdamW's update for one tensor, transcribed to plain Java in double precision. */
    private static void referenceStep(double[] p, double[] g, double[] m, double[] v, int t, OptimizerConfig c, double lr) {
        double bc1 = 1 - Math.pow(c.beta1(), t);
        double bc2 = 1 - Math.pow(c.beta2(), t);
        for (int i = 0; i < p.length; i++) {
            p[i] *= 1 - lr * c.weightDecay();
            m[i] = c.beta1() * m[i] + (1 - c.beta1()) * g[i];
            v[i] = c.beta2() * v[i] + (1 - c.beta2()) * g[i] * g[i];
            double denom = Math.sqrt(v[i]) / Math.sqrt(bc2) + c.epsilon();
            p[i] -= lr / bc1 * m[i] / denom;
        }
    }

    @Test
    void fusedUpdateEqualsPyTorchAdamW() {
        OptimizerConfig config = new OptimizerConfig(0.05f, 0.9f, 0.99f, 1e-3f, 0.1f, 0, 10, DecaySchedule.CONSTANT, 1f);
        DeterministicRandom rng = new DeterministicRandom(7);
        int n = 12;
        double[] p = new double[n];
        double[] m = new double[n];
        double[] v = new double[n];
        float[] initial = new float[n];
        for (int i = 0; i < n; i++) {
            initial[i] = (float) rng.nextGaussian();
            p[i] = initial[i];
        }
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray parameter = manager.create(initial, new Shape(3, 4));
            NDList parameters = new NDList(parameter);
            try (AdamW adam = new AdamW(config, parameters, manager)) {
                for (int t = 1; t <= 5; t++) {
                    float[] gradient = new float[n];
                    double[] g = new double[n];
                    for (int i = 0; i < n; i++) {
                        gradient[i] = (float) (rng.nextGaussian() * (i % 3 == 0 ? 1e-4 : 1));
                        g[i] = gradient[i];
                    }
                    try (NDManager step = manager.newSubManager()) {
                        adam.update(parameters, new NDList(step.create(gradient, new Shape(3, 4))), 0.05f);
                    }
                    referenceStep(p, g, m, v, t, config, 0.05);
                    float[] actual = parameter.toFloatArray();
                    for (int i = 0; i < n; i++) {
                        assertThat((double) actual[i]).as("step %d element %d", t, i).isCloseTo(p[i], offset(2e-6));
                    }
                }
                AdamW.State state = adam.state(List.of("w"));
                assertThat(state.step()).isEqualTo(5);
                float[] firstMoment = state.firstMoments().get(0).values();
                for (int i = 0; i < n; i++) {
                    assertThat((double) firstMoment[i]).isCloseTo(m[i], offset(1e-6));
                }
            }
        }
    }

    @Test
    void scheduleWarmsUpThenDecays() {
        OptimizerConfig cosine = OptimizerConfig.defaults().withSchedule(10, 100, DecaySchedule.COSINE);
        assertThat(cosine.learningRateAt(0)).isCloseTo(1e-3f / 11, offset(1e-9f));
        assertThat(cosine.learningRateAt(10)).isCloseTo(1e-3f, offset(1e-9f));
        assertThat(cosine.learningRateAt(60)).isCloseTo(1e-3f * (0.1f + 0.9f * 0.5f), offset(1e-8f));
        assertThat(cosine.learningRateAt(110)).isCloseTo(1e-4f, offset(1e-9f));
        assertThat(cosine.learningRateAt(5_000)).isCloseTo(1e-4f, offset(1e-9f));
        OptimizerConfig linear = cosine.withSchedule(0, 100, DecaySchedule.LINEAR);
        assertThat(linear.learningRateAt(50)).isCloseTo(1e-3f * 0.55f, offset(1e-8f));
    }
}
