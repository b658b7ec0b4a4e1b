package dev.streamtune.trainer;

import ai.djl.Device;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.technique.TechniqueSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the trainer service drives, whatever the technique's input: micro-batch steps on new
 * examples, rehearsal on the replay buffer, label growth, snapshots for checkpoints and the delta
 * of the current model. {@link HeadTrainer} trains on pooled features, {@link EncoderTrainer}
 * through the frozen encoder on token ids; both keep the same replay, class-weighting and
 * checkpoint semantics ({@link ReplayingTrainer}).
 */
public interface StreamingTrainer extends AutoCloseable {

    /** One optimizer step on {@code newExamples} plus replayed examples. */
    StepResult step(List<LabeledExample> newExamples);

    /** One optimizer step on a class-balanced draw from the replay buffer alone; empty when it holds nothing. */
    Optional<StepResult> rehearse(int batchSize);

    /** Adds a label to an open label set; returns its index (an existing label returns its index). */
    int addLabel(String label);

    /** Everything needed to continue exactly; {@code nextOffsets} is stored as given. */
    TrainerState snapshot(Map<String, Long> nextOffsets);

    /** The trained tensors of the current model as a pure-tensor delta with its sha256. */
    Delta delta();

    List<String> labels();

    long step();

    long examplesSeen();

    long trainableParameterCount();

    /** Trainable parameters as a fraction of the frozen encoder's, where the encoder is loaded. */
    java.util.OptionalDouble trainableFraction();

    TechniqueSpec techniqueSpec();

    Device device();

    /** The optimizer and training settings a version records next to the technique's own settings. */
    Map<String, String> trainingSettings();

    @Override
    void close();

    /** @param step steps taken including this one */
    record StepResult(long step, float loss, float learningRate, int newExamples, int replayedExamples) {
    }
}
