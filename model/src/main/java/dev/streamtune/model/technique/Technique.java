package dev.streamtune.model.technique;

import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.TensorSpec;
import java.util.List;

/**
 * A way of fine-tuning: which tensors are trainable, what a batch must contain, and how the
 * trained tensors travel as a delta. Implementations are found with {@link java.util.ServiceLoader}
 * (see {@link Techniques}); head-only is {@link HeadOnlyTechnique}.
 */
public interface Technique {

    /** Stable id recorded in every model version (e.g. {@code head}). */
    String id();

    /**
     * Adam's learning rate for this technique's own tensors when a task does not set {@code lr}: the
     * rate the PEFT benchmark measured as best for it on the bundled corpora (a soft prompt needs a
     * far larger step than a full encoder layer).
     */
    default float defaultLearningRate() {
        return 1e-3f;
    }

    /** What the trainer must put in {@link TrainingBatch#input()}. */
    BatchInput.InputKind inputKind();

    /** The trainable tensors, in parameter order, that a delta of this technique holds. */
    List<TensorSpec> tensorSpecs(TechniqueSpec spec, int labelCount);

    default long trainableParameterCount(TechniqueSpec spec, int labelCount) {
        return tensorSpecs(spec, labelCount).stream().mapToLong(TensorSpec::elementCount).sum();
    }

    /** Fresh trainable tensors, initialised from {@code rng} so that a seed reproduces them. */
    TrainableModel create(TechniqueContext context, DeterministicRandom rng);

    /** Trainable tensors restored from a checkpoint or a decoded delta. */
    TrainableModel fromTensors(TechniqueContext context, List<NamedTensor> tensors);

    /** Verifies and decodes a delta (digest, format, names, shapes) and builds the model from it. */
    default TrainableModel loadDelta(TechniqueContext context, Delta delta) {
        return fromTensors(context, DeltaCodec.decode(delta, tensorSpecs(context.spec(), context.labelCount())));
    }
}
