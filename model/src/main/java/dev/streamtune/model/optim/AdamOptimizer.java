package dev.streamtune.model.optim;

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
 * The one optimizer of every trainer: Adam (Kingma and Ba, 2015), with PyTorch's decoupled weight decay
 * ({@code torch.optim.AdamW}) when {@code weightDecay > 0}, updating a model's trainable arrays in place from the
 * gradients a {@link dev.streamtune.model.technique.TrainableModel} returns. Its state (step count and both moments)
 * is its own, so a checkpoint saves and restores it exactly: N steps, a checkpoint, a restore and M more steps equal
 * N + M steps straight. DJL's {@code Optimizer} keeps its state private, hence this class.
 *
 * <p>The update is DJL's fused native kernel ({@code NDArrayEx.adamUpdate}): one native call per tensor instead of
 * a dozen element-wise operators. The kernel puts epsilon outside the bias correction of the second moment; passing
 * {@code eps * sqrt(1 - beta2^t)} makes it PyTorch's update exactly, which a test holds against a plain-Java
 * transcription of PyTorch's. The moments live in their own manager on the parameters' device, allocated at the
 * first update; {@link #resize} follows a head that grew a label row. Not thread-safe.
 */
public final class AdamOptimizer implements AutoCloseable {
    private final float learningRate;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private final NDManager manager;
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private long steps;

    public AdamOptimizer(NDManager parent, float learningRate) {
        this(parent, learningRate, 0.9f, 0.999f, 1e-8f);
    }

    public AdamOptimizer(NDManager parent, float learningRate, float beta1, float beta2, float epsilon) {
        this(parent, learningRate, beta1, beta2, epsilon, 0f);
    }

    /** AdamW: {@code weightDecay} decoupled from the gradient, as {@code torch.optim.AdamW} applies it. */
    public AdamOptimizer(NDManager parent, float learningRate, float beta1, float beta2, float epsilon, float weightDecay) {
        if (!(learningRate > 0f) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
        }
        if (!(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f)) {
            throw new IllegalArgumentException("beta1 and beta2 must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        if (!(epsilon > 0f)) {
            throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
        }
        if (!(weightDecay >= 0f && weightDecay <= 1f)) {
            throw new IllegalArgumentException("weightDecay must be in [0, 1], got " + weightDecay);
        }
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.manager = parent.newSubManager();
    }

    /** An optimizer that continues exactly where {@code state} was taken (moments copied onto {@code parent}'s device). */
    public static AdamOptimizer restore(NDManager parent, float learningRate, float beta1, float beta2, float epsilon,
                                        float weightDecay, State state) {
        Objects.requireNonNull(state, "state");
        AdamOptimizer optimizer = new AdamOptimizer(parent, learningRate, beta1, beta2, epsilon, weightDecay);
        for (int i = 0; i < state.firstMoments().size(); i++) {
            NamedTensor first = state.firstMoments().get(i);
            NamedTensor second = state.secondMoments().get(i);
            optimizer.firstMoments.add(optimizer.manager.create(first.valuesView(), new Shape(first.shape())));
            optimizer.secondMoments.add(optimizer.manager.create(second.valuesView(), new Shape(second.shape())));
        }
        optimizer.steps = state.steps();
        return optimizer;
    }

    /** {@link #restore} with the default betas and epsilon and no weight decay. */
    public static AdamOptimizer restore(NDManager parent, float learningRate, State state) {
        return restore(parent, learningRate, 0.9f, 0.999f, 1e-8f, 0f, state);
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

    /** One update of every parameter from its gradient (same order, same shapes) at the configured rate. */
    public void update(NDList parameters, NDList gradients) {
        update(parameters, gradients, learningRate);
    }

    /** One update at {@code rate}, the schedule's rate for this step (warm-up, decay). */
    public void update(NDList parameters, NDList gradients, float rate) {
        if (!(rate >= 0f) || Float.isInfinite(rate)) {
            throw new IllegalArgumentException("the learning rate of a step must be finite and >= 0, got " + rate);
        }
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
        float stepSize = (float) (rate * Math.sqrt(correction2) / correction1);
        float fusedEpsilon = (float) (epsilon * Math.sqrt(correction2));
        try (NDScope scope = new NDScope()) {
            for (int i = 0; i < parameters.size(); i++) {
                NDArray gradient = gradients.get(i);
                NDArray parameter = parameters.get(i);
                if (!gradient.getShape().equals(parameter.getShape())) {
                    throw new IllegalArgumentException("gradient " + i + " has shape " + gradient.getShape()
                            + ", its parameter " + parameter.getShape());
                }
                if (!parameter.getShape().equals(firstMoments.get(i).getShape())) {
                    throw new IllegalStateException("parameter " + i + " has shape " + parameter.getShape()
                            + " but its moments " + firstMoments.get(i).getShape() + "; call resize after growing it");
                }
                // through a detached view sharing the parameter's storage: PyTorch's grad mode is on by default
                // in every thread but the one DJL's engine started on, and there an in-place update of a leaf
                // that requires a gradient is refused
                NDArray view = parameter.stopGradient();
                // one native call per tensor instead of a dozen element-wise operators: on a GPU the per-call
                // cost, not the arithmetic, is what a step of small tensors spends its time on
                view.getNDArrayInternal().adamUpdate(new NDList(view, gradient, firstMoments.get(i), secondMoments.get(i)),
                        new NDList(view), rate, stepSize, weightDecay, 1f, -1f, beta1, beta2, fusedEpsilon, false, true);
            }
        }
    }

    /**
     * Follows parameters that grew along their first axis (a head's new label rows): the old rows keep their
     * moments, the new rows start at zero. Before the first update there is nothing to follow.
     */
    public void resize(NDList parameters) {
        if (firstMoments.isEmpty()) {
            return;
        }
        if (parameters.size() != firstMoments.size()) {
            throw new IllegalArgumentException("the optimizer holds moments of " + firstMoments.size()
                    + " parameters, got " + parameters.size());
        }
        for (int i = 0; i < parameters.size(); i++) {
            Shape shape = parameters.get(i).getShape();
            if (!shape.equals(firstMoments.get(i).getShape())) {
                firstMoments.set(i, grown(firstMoments.get(i), shape));
                secondMoments.set(i, grown(secondMoments.get(i), shape));
            }
        }
    }

    private NDArray grown(NDArray old, Shape shape) {
        Shape was = old.getShape();
        boolean alongFirstAxis = shape.dimension() == was.dimension() && shape.get(0) >= was.get(0)
                && java.util.Arrays.equals(java.util.Arrays.copyOfRange(shape.getShape(), 1, shape.dimension()),
                        java.util.Arrays.copyOfRange(was.getShape(), 1, was.dimension()));
        if (!alongFirstAxis) {
            throw new IllegalArgumentException("Adam moments can only grow along the first axis: " + was + " -> " + shape);
        }
        float[] oldValues = HostReadback.floats(old);
        float[] values = new float[Math.toIntExact(shape.size())];
        System.arraycopy(oldValues, 0, values, 0, oldValues.length);
        old.close();
        return manager.create(values, shape);
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
