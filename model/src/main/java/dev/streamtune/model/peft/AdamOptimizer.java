package dev.streamtune.model.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.delta.NamedTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Adam (Kingma and Ba, 2015) updating a model's trainable arrays in place from the gradients a
 * {@link dev.streamtune.model.technique.TrainableModel} returns. The moment estimates live in
 * their own manager on the parameters' device; each update's temporaries are closed by an
 * {@link NDScope}. {@link #state} and {@link #restore} carry the step count and both moments, so
 * N steps, a checkpoint, a restore and M more steps equal N + M steps straight. Not thread-safe.
 */
public final class AdamOptimizer implements AutoCloseable {
    private final float learningRate;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final NDManager manager;
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private long steps;

    public AdamOptimizer(NDManager parent, float learningRate) {
        this(parent, learningRate, 0.9f, 0.999f, 1e-8f);
    }

    public AdamOptimizer(NDManager parent, float learningRate, float beta1, float beta2, float epsilon) {
        if (!(learningRate > 0f) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
        }
        if (!(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f)) {
            throw new IllegalArgumentException("beta1 and beta2 must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        if (!(epsilon > 0f)) {
            throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
        }
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.manager = parent.newSubManager();
    }

    /** An optimizer that continues exactly where {@code state} was taken (moments copied onto {@code parent}'s device). */
    public static AdamOptimizer restore(NDManager parent, float learningRate, float beta1, float beta2, float epsilon,
                                        State state) {
        Objects.requireNonNull(state, "state");
        AdamOptimizer optimizer = new AdamOptimizer(parent, learningRate, beta1, beta2, epsilon);
        for (int i = 0; i < state.firstMoments().size(); i++) {
            NamedTensor first = state.firstMoments().get(i);
            NamedTensor second = state.secondMoments().get(i);
            optimizer.firstMoments.add(optimizer.manager.create(first.valuesView(), new Shape(first.shape())));
            optimizer.secondMoments.add(optimizer.manager.create(second.valuesView(), new Shape(second.shape())));
        }
        optimizer.steps = state.steps();
        return optimizer;
    }

    /** {@link #restore} with the default betas and epsilon. */
    public static AdamOptimizer restore(NDManager parent, float learningRate, State state) {
        return restore(parent, learningRate, 0.9f, 0.999f, 1e-8f, state);
    }

    public long steps() {
        return steps;
    }

    /**
     * Heap copies of the step count and both moments, named {@code m.<name>} and {@code v.<name>}
     * after {@code parameterNames} (read back through {@link HostReadback}, so GPU arrays work);
     * empty moments before the first update.
     */
    public State state(List<String> parameterNames) {
        if (!firstMoments.isEmpty() && parameterNames.size() != firstMoments.size()) {
            throw new IllegalArgumentException("the optimizer holds moments of " + firstMoments.size()
                    + " parameters, got " + parameterNames.size() + " names");
        }
        List<NamedTensor> first = new ArrayList<>(firstMoments.size());
        List<NamedTensor> second = new ArrayList<>(secondMoments.size());
        for (int i = 0; i < firstMoments.size(); i++) {
            first.add(new NamedTensor("m." + parameterNames.get(i), firstMoments.get(i).getShape().getShape(),
                    HostReadback.floats(firstMoments.get(i))));
            second.add(new NamedTensor("v." + parameterNames.get(i), secondMoments.get(i).getShape().getShape(),
                    HostReadback.floats(secondMoments.get(i))));
        }
        return new State(steps, first, second);
    }

    /** One update of every parameter from its gradient (same order, same shapes). */
    public void update(NDList parameters, NDList gradients) {
        if (parameters.size() != gradients.size()) {
            throw new IllegalArgumentException("got " + gradients.size() + " gradients for " + parameters.size()
                    + " parameters");
        }
        if (firstMoments.isEmpty()) {
            for (NDArray parameter : parameters) {
                firstMoments.add(manager.zeros(parameter.getShape()));
                secondMoments.add(manager.zeros(parameter.getShape()));
            }
        } else if (firstMoments.size() != parameters.size()) {
            throw new IllegalArgumentException("the optimizer was started with " + firstMoments.size()
                    + " parameters, got " + parameters.size());
        }
        steps++;
        double correction1 = 1 - Math.pow(beta1, steps);
        double correction2 = 1 - Math.pow(beta2, steps);
        // the fused kernel computes p -= stepSize * m / (sqrt(v) + eps); these two make that PyTorch's
        // p -= lr / c1 * m / (sqrt(v / c2) + epsilon) exactly
        float stepSize = (float) (learningRate * Math.sqrt(correction2) / correction1);
        float fusedEpsilon = (float) (epsilon * Math.sqrt(correction2));
        try (NDScope scope = new NDScope()) {
            for (int i = 0; i < parameters.size(); i++) {
                NDArray gradient = gradients.get(i);
                NDArray parameter = parameters.get(i);
                if (!gradient.getShape().equals(parameter.getShape())) {
                    throw new IllegalArgumentException("gradient " + i + " has shape " + gradient.getShape()
                            + ", its parameter " + parameter.getShape());
                }
                // through a detached view sharing the parameter's storage: PyTorch's grad mode is on by default
                // in every thread but the one DJL's engine started on, and there an in-place update of a leaf
                // that requires a gradient is refused
                NDArray view = parameter.stopGradient();
                // one native call per tensor instead of a dozen element-wise operators: on a GPU the per-call
                // cost, not the arithmetic, is what a step of small tensors spends its time on
                view.getNDArrayInternal().adamUpdate(new NDList(view, gradient, firstMoments.get(i), secondMoments.get(i)),
                        new NDList(view), learningRate, stepSize, 0f, 1f, -1f, beta1, beta2, fusedEpsilon, false, true);
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Everything Adam needs to continue exactly: updates taken and one first and second moment per parameter. */
    public record State(long steps, List<NamedTensor> firstMoments, List<NamedTensor> secondMoments) {
        public State {
            firstMoments = List.copyOf(Objects.requireNonNull(firstMoments, "firstMoments"));
            secondMoments = List.copyOf(Objects.requireNonNull(secondMoments, "secondMoments"));
            if (steps < 0) {
                throw new IllegalArgumentException("Adam steps must be >= 0, got " + steps);
            }
            if (firstMoments.size() != secondMoments.size()) {
                throw new IllegalArgumentException("Adam state has " + firstMoments.size() + " first and "
                        + secondMoments.size() + " second moments");
            }
            for (int i = 0; i < firstMoments.size(); i++) {
                if (!java.util.Arrays.equals(firstMoments.get(i).shape(), secondMoments.get(i).shape())) {
                    throw new IllegalArgumentException("Adam moments " + i + " differ in shape: "
                            + java.util.Arrays.toString(firstMoments.get(i).shape()) + " and "
                            + java.util.Arrays.toString(secondMoments.get(i).shape()));
                }
            }
            if (steps > 0 && firstMoments.isEmpty()) {
                throw new IllegalArgumentException("Adam state after " + steps + " steps must hold moments");
            }
        }
    }
}
