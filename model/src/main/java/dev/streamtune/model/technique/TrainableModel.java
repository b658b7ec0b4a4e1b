package dev.streamtune.model.technique;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.NamedTensor;
import java.util.List;

/** The trainable part of a model on one device, as built by a {@link Technique}. */
public interface TrainableModel extends AutoCloseable {

    String techniqueId();

    /** Owns the trainable arrays; open per-step sub-managers from it so they land on the same device. */
    NDManager manager();

    /**
     * The named arrays an optimizer updates in place. Their layout is the technique's own (the
     * head keeps each bias as an extra weight column); {@link #exportTensors()} gives the delta layout.
     */
    NDList trainableParameters();

    long trainableParameterCount();

    int labelCount();

    /** Adds output rows for new labels; existing rows keep their exact values. */
    void growLabels(int newLabelCount);

    /**
     * Loss of one micro-batch and a gradient per trainable parameter (same order), attached to
     * {@code stepManager}. Random choices (dropout) come from {@code rng} so a checkpoint can replay them.
     */
    StepGradients lossAndGradients(TrainingBatch batch, NDManager stepManager, DeterministicRandom rng);

    /** Inference logits [rows, labelCount], attached to {@code stepManager}. */
    NDArray logits(BatchInput input, NDManager stepManager);

    /** Heap copies of the trainable tensors, in parameter order. */
    List<NamedTensor> exportTensors();

    default Delta saveDelta() {
        return DeltaCodec.encode(exportTensors());
    }

    @Override
    void close();

    record StepGradients(float loss, NDList gradients) {
    }
}
