package dev.streamtune.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.delta.NamedTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * AdamW whose state (first and second moments, step count) this class owns, so a checkpoint can
 * save and restore it exactly; DJL's {@code Optimizer} keeps its state private.
 *
 * <p>The update itself is DJL's fused native Adam kernel ({@code NDArrayEx.adamUpdate} with
 * {@code adamw=true}): one native call per parameter instead of about a dozen element-wise ops.
 * The kernel puts epsilon outside the bias correction of the second moment; passing
 * {@code eps * sqrt(1 - beta2^t)} makes it PyTorch's {@code torch.optim.AdamW} exactly, which a
 * test checks against a plain-Java transcription of PyTorch's update.
 */
public final class AdamW implements AutoCloseable {
    private final OptimizerConfig config;
    private final NDManager manager;
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private long step;

    /** Zero moments shaped like {@code parameters}, allocated from {@code parent}'s device. */
    public AdamW(OptimizerConfig config, NDList parameters, NDManager parent) {
        this.config = config;
        this.manager = parent.newSubManager();
        for (NDArray parameter : parameters) {
            firstMoments.add(manager.zeros(parameter.getShape()));
            secondMoments.add(manager.zeros(parameter.getShape()));
        }
    }

    /** Restores saved moments and step count. */
    public AdamW(OptimizerConfig config, State state, NDManager parent) {
        this.config = config;
        this.manager = parent.newSubManager();
        for (NamedTensor tensor : state.firstMoments()) {
            firstMoments.add(manager.create(tensor.valuesView(), new Shape(tensor.shape())));
        }
        for (NamedTensor tensor : state.secondMoments()) {
            secondMoments.add(manager.create(tensor.valuesView(), new Shape(tensor.shape())));
        }
        this.step = state.step();
    }

    public long step() {
        return step;
    }

    /** Updates {@code parameters} in place from {@code gradients} (same order) at {@code learningRate}. */
    public void update(NDList parameters, NDList gradients, float learningRate) {
        if (parameters.size() != firstMoments.size() || gradients.size() != parameters.size()) {
            throw new IllegalArgumentException("AdamW holds state for " + firstMoments.size() + " parameters, got "
                    + parameters.size() + " parameters and " + gradients.size() + " gradients");
        }
        step++;
        double biasCorrection1 = 1.0 - Math.pow(config.beta1(), step);
        double biasCorrection2 = 1.0 - Math.pow(config.beta2(), step);
        float stepSize = (float) (learningRate * Math.sqrt(biasCorrection2) / biasCorrection1);
        float epsilon = (float) (config.epsilon() * Math.sqrt(biasCorrection2));
        for (int i = 0; i < parameters.size(); i++) {
            NDArray parameter = parameters.get(i);
            NDArray gradient = gradients.get(i);
            if (!parameter.getShape().equals(firstMoments.get(i).getShape())) {
                throw new IllegalStateException("parameter " + i + " has shape " + parameter.getShape()
                        + " but its AdamW state has " + firstMoments.get(i).getShape() + "; call resize after growing");
            }
            parameter.getNDArrayInternal().adamUpdate(
                    new NDList(parameter, gradient, firstMoments.get(i), secondMoments.get(i)), new NDList(parameter),
                    learningRate, stepSize, config.weightDecay(), 1f, -1f, config.beta1(), config.beta2(), epsilon,
                    false, true);
        }
    }

    /**
     * Follows parameters that grew along their first axis (new label rows): the old rows keep
     * their moments, new rows start at zero.
     */
    public void resize(NDList parameters) {
        for (int i = 0; i < parameters.size(); i++) {
            Shape shape = parameters.get(i).getShape();
            if (!shape.equals(firstMoments.get(i).getShape())) {
                firstMoments.set(i, grown(firstMoments.get(i), shape));
                secondMoments.set(i, grown(secondMoments.get(i), shape));
            }
        }
    }

    private NDArray grown(NDArray old, Shape shape) {
        float[] oldValues = HostReadback.floats(old);
        float[] values = new float[Math.toIntExact(shape.size())];
        if (oldValues.length > values.length || shape.dimension() != old.getShape().dimension()) {
            throw new IllegalArgumentException("AdamW state can only grow along the first axis: " + old.getShape()
                    + " -> " + shape);
        }
        System.arraycopy(oldValues, 0, values, 0, oldValues.length);
        old.close();
        return manager.create(values, shape);
    }

    public State state(List<String> parameterNames) {
        return new State(step, export(firstMoments, parameterNames, "m."), export(secondMoments, parameterNames, "v."));
    }

    private static List<NamedTensor> export(List<NDArray> arrays, List<String> names, String prefix) {
        List<NamedTensor> tensors = new ArrayList<>(arrays.size());
        for (int i = 0; i < arrays.size(); i++) {
            tensors.add(new NamedTensor(prefix + names.get(i), arrays.get(i).getShape().getShape(),
                    HostReadback.floats(arrays.get(i))));
        }
        return tensors;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Everything AdamW needs to continue exactly. */
    public record State(long step, List<NamedTensor> firstMoments, List<NamedTensor> secondMoments) {
        public State {
            firstMoments = List.copyOf(firstMoments);
            secondMoments = List.copyOf(secondMoments);
            if (step < 0) {
                throw new IllegalArgumentException("AdamW step must be >= 0, got " + step);
            }
            if (firstMoments.size() != secondMoments.size()) {
                throw new IllegalArgumentException("AdamW state has " + firstMoments.size() + " first and "
                        + secondMoments.size() + " second moments");
            }
        }
    }
}
