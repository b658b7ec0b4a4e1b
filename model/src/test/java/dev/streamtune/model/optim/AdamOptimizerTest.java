package dev.streamtune.model.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.delta.NamedTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

@Tag("model")
class AdamOptimizerTest {
    private static final int N = 3;
    private static final int M = 4;

    /** Gradient of sum((p - target)^2 * scale): a different gradient at every step, as in training. */
    private static NDList gradients(NDList parameters, NDManager step) {
        NDList gradients = new NDList();
        for (int i = 0; i < parameters.size(); i++) {
            NDArray p = parameters.get(i);
            gradients.add(p.sub(0.5f * (i + 1)).mul(2f * (i + 1)).mul(p.sin().add(1.5f)));
        }
        gradients.attach(step);
        return gradients;
    }

    private static NDList parameters(NDManager manager, float[][] values) {
        NDList list = new NDList();
        list.add(manager.create(values[0], new Shape(3, 4)));
        list.add(manager.create(values[1], new Shape(5)));
        return list;
    }

    private static void run(AdamOptimizer optimizer, NDList parameters, NDManager manager, int steps) {
        for (int s = 0; s < steps; s++) {
            try (NDManager step = manager.newSubManager()) {
                optimizer.update(parameters, gradients(parameters, step));
            }
        }
    }

    @Test
    void stepsBeforeAndAfterARestoreEqualTheSameStepsStraight() {
        Random random = new Random(7);
        float[][] start = {new float[12], new float[5]};
        for (float[] values : start) {
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
        }
        List<String> names = List.of("a", "b");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList straight = parameters(manager, start);
            try (AdamOptimizer optimizer = new AdamOptimizer(manager, 0.05f)) {
                run(optimizer, straight, manager, N + M);
            }

            NDList first = parameters(manager, start);
            AdamOptimizer.State saved;
            float[][] checkpointed = new float[2][];
            try (AdamOptimizer optimizer = new AdamOptimizer(manager, 0.05f)) {
                run(optimizer, first, manager, N);
                saved = optimizer.state(names);
                checkpointed[0] = HostReadback.floats(first.get(0));
                checkpointed[1] = HostReadback.floats(first.get(1));
            }
            assertThat(saved.steps()).isEqualTo(N);
            assertThat(saved.firstMoments()).extracting(NamedTensor::name).containsExactly("m.a", "m.b");
            assertThat(saved.secondMoments()).extracting(NamedTensor::name).containsExactly("v.a", "v.b");
            assertThat(saved.secondMoments().get(0).valuesView()).as("moments were really saved").isNotEqualTo(new float[12]);

            try (NDManager restoredManager = NDManager.newBaseManager()) {
                NDList resumed = parameters(restoredManager, checkpointed);
                try (AdamOptimizer optimizer = AdamOptimizer.restore(restoredManager, 0.05f, saved)) {
                    assertThat(optimizer.steps()).isEqualTo(N);
                    run(optimizer, resumed, restoredManager, M);
                    assertThat(optimizer.steps()).isEqualTo(N + M);
                }
                for (int i = 0; i < 2; i++) {
                    float[] expected = HostReadback.floats(straight.get(i));
                    float[] actual = HostReadback.floats(resumed.get(i));
                    for (int j = 0; j < expected.length; j++) {
                        assertThat(actual[j]).as("parameter %d[%d]", i, j)
                                .isCloseTo(expected[j], org.assertj.core.data.Offset.offset(1e-6f));
                    }
                    assertThat(actual).as("training moved parameter %d", i).isNotEqualTo(start[i]);
                }
            }

            // a restore without the moments would take a different path: the test can tell the difference
            NDList fresh = parameters(manager, checkpointed);
            try (AdamOptimizer optimizer = new AdamOptimizer(manager, 0.05f)) {
                run(optimizer, fresh, manager, M);
            }
            assertThat(HostReadback.floats(fresh.get(0))[0])
                    .isNotCloseTo(HostReadback.floats(straight.get(0))[0], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @Test
    void updatesParametersThatRequireAGradientOnAFreshThread() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        float[] after = new float[5];
        Thread thread = new Thread(() -> {
            try (NDManager manager = NDManager.newBaseManager();
                    AdamOptimizer optimizer = new AdamOptimizer(manager, 0.1f)) {
                NDArray parameter = manager.create(new float[] {1, 2, 3, 4, 5});
                parameter.setRequiresGradient(true);
                try (NDManager step = manager.newSubManager()) {
                    optimizer.update(new NDList(parameter), new NDList(step.ones(new Shape(5))));
                }
                System.arraycopy(HostReadback.floats(parameter), 0, after, 0, 5);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "not-the-engine-thread");
        thread.start();
        thread.join();
        assertThat(failure.get()).isNull();
        // Adam's first step moves every weight by the learning rate against the gradient's sign
        assertThat(after[0]).isCloseTo(0.9f, org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(after[4]).isCloseTo(4.9f, org.assertj.core.data.Offset.offset(1e-5f));
    }

    @Test
    void stateBeforeTheFirstUpdateIsEmptyAndRestoresToAFreshOptimizer() {
        try (NDManager manager = NDManager.newBaseManager();
                AdamOptimizer optimizer = new AdamOptimizer(manager, 0.1f)) {
            AdamOptimizer.State state = optimizer.state(List.of());
            assertThat(state.steps()).isZero();
            assertThat(state.firstMoments()).isEmpty();
            try (AdamOptimizer restored = AdamOptimizer.restore(manager, 0.1f, state)) {
                NDList parameters = parameters(manager, new float[][] {new float[12], new float[5]});
                run(restored, parameters, manager, 1);
                assertThat(restored.steps()).isEqualTo(1);
            }
        }
    }

    @Test
    void badStatesNameTheProblem() {
        NamedTensor a = new NamedTensor("m.a", new long[] {2}, new float[2]);
        NamedTensor b = new NamedTensor("v.a", new long[] {3}, new float[3]);
        assertThatThrownBy(() -> new AdamOptimizer.State(1, List.of(a), List.of(b)))
                .hasMessageContaining("differ in shape");
        assertThatThrownBy(() -> new AdamOptimizer.State(-1, List.of(), List.of())).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> new AdamOptimizer.State(2, List.of(), new ArrayList<>()))
                .hasMessageContaining("must hold moments");
    }

    @Test
    void updatesAsPyTorchsAdamDoes() {
        // torch.optim.Adam (no weight decay, amsgrad off), transcribed in doubles
        float lr = 0.01f;
        double[] p = {0.5, -1.25, 2.0, 0.0, 3.5};
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        try (NDManager manager = NDManager.newBaseManager();
                AdamOptimizer optimizer = new AdamOptimizer(manager, lr)) {
            NDArray parameter = manager.create(new float[] {0.5f, -1.25f, 2.0f, 0.0f, 3.5f});
            parameter.setRequiresGradient(true);
            for (int step = 1; step <= 6; step++) {
                float[] g = new float[p.length];
                for (int j = 0; j < p.length; j++) {
                    g[j] = (float) (Math.sin(step + j) * (j + 1));
                }
                try (NDManager stepManager = manager.newSubManager()) {
                    optimizer.update(new NDList(parameter), new NDList(stepManager.create(g)));
                }
                for (int j = 0; j < p.length; j++) {
                    m[j] = 0.9 * m[j] + 0.1 * g[j];
                    v[j] = 0.999 * v[j] + 0.001 * g[j] * g[j];
                    double denominator = Math.sqrt(v[j]) / Math.sqrt(1 - Math.pow(0.999, step)) + 1e-8;
                    p[j] -= lr / (1 - Math.pow(0.9, step)) * m[j] / denominator;
                }
            }
            float[] actual = HostReadback.floats(parameter);
            for (int j = 0; j < p.length; j++) {
                assertThat((double) actual[j]).as("parameter[%d]", j).isCloseTo(p[j], org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }

    /** torch.optim.AdamW's update for one tensor, transcribed to plain Java in double precision. */
    private static void pyTorchAdamW(double[] p, double[] g, double[] m, double[] v, int t, double lr, double beta1,
                                     double beta2, double eps, double weightDecay) {
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < p.length; i++) {
            p[i] *= 1 - lr * weightDecay;
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            p[i] -= lr / bc1 * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
        }
    }

    @Test
    void theFusedUpdateIsPyTorchsAdamWWithAScheduledRate() {
        Random random = new Random(7);
        int n = 12;
        double[] p = new double[n];
        double[] m = new double[n];
        double[] v = new double[n];
        float[] initial = new float[n];
        for (int i = 0; i < n; i++) {
            initial[i] = (float) random.nextGaussian();
            p[i] = initial[i];
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray parameter = manager.create(initial, new Shape(3, 4));
            NDList parameters = new NDList(parameter);
            try (AdamOptimizer adam = new AdamOptimizer(manager, 0.05f, 0.9f, 0.99f, 1e-3f, 0.1f)) {
                for (int t = 1; t <= 5; t++) {
                    float rate = 0.01f * t; // a warm-up: each step's rate is the schedule's, not the configured one
                    float[] gradient = new float[n];
                    double[] g = new double[n];
                    for (int i = 0; i < n; i++) {
                        gradient[i] = (float) (random.nextGaussian() * (i % 3 == 0 ? 1e-4 : 1));
                        g[i] = gradient[i];
                    }
                    try (NDManager step = manager.newSubManager()) {
                        adam.update(parameters, new NDList(step.create(gradient, new Shape(3, 4))), rate);
                    }
                    pyTorchAdamW(p, g, m, v, t, rate, 0.9, 0.99, 1e-3, 0.1);
                    float[] actual = parameter.toFloatArray();
                    for (int i = 0; i < n; i++) {
                        assertThat((double) actual[i]).as("step %d element %d", t, i).isCloseTo(p[i], org.assertj.core.data.Offset.offset(2e-6));
                    }
                }
                AdamOptimizer.State state = adam.state(List.of("w"));
                assertThat(state.steps()).isEqualTo(5);
                float[] firstMoment = state.firstMoments().get(0).values();
                for (int i = 0; i < n; i++) {
                    assertThat((double) firstMoment[i]).isCloseTo(m[i], org.assertj.core.data.Offset.offset(1e-6));
                }
            }
        }
        assertThatThrownBy(() -> new AdamOptimizer(NDManager.newBaseManager(), 0.1f, 0.9f, 0.999f, 1e-8f, 1.5f))
                .hasMessageContaining("weightDecay must be in [0, 1]");
    }

    @Test
    void resizeKeepsTheOldRowsMomentsAndStartsNewRowsAtZero() {
        try (NDManager manager = NDManager.newBaseManager();
                AdamOptimizer adam = new AdamOptimizer(manager, 0.1f)) {
            NDList before = new NDList(manager.ones(new Shape(2, 3)));
            adam.resize(before); // nothing to follow before the first update
            try (NDManager step = manager.newSubManager()) {
                adam.update(before, new NDList(step.ones(new Shape(2, 3))));
            }
            float[] oldMoment = adam.state(List.of("w")).firstMoments().get(0).values();
            NDList grown = new NDList(manager.ones(new Shape(3, 3)));
            try (NDManager step = manager.newSubManager()) {
                NDList gradient = new NDList(step.ones(new Shape(3, 3)));
                assertThatThrownBy(() -> adam.update(grown, gradient)).hasMessageContaining("call resize");
            }
            adam.resize(grown);
            float[] moment = adam.state(List.of("w")).firstMoments().get(0).values();
            assertThat(moment).hasSize(9);
            assertThat(java.util.Arrays.copyOf(moment, 6)).containsExactly(oldMoment);
            assertThat(java.util.Arrays.copyOfRange(moment, 6, 9)).containsOnly(0f);
            assertThatThrownBy(() -> adam.resize(new NDList(manager.ones(new Shape(3, 4)))))
                    .hasMessageContaining("only grow along the first axis");
        }
    }
}
