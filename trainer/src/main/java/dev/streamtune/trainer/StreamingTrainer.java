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
    StepResult step(List<TrainingExample> newExamples);

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

    /**
     * Called at each publish point, before the snapshot and the delta: a trainer that refits on
     * everything it retains (the hybrid technique) fits here; a stepping trainer has nothing to do.
     */
    default void consolidate() {
    }

    /** Whether the trainer also wants the task's validation examples (for model selection); false by default. */
    default boolean readsValidation() {
        return false;
    }

    /**
     * A validation example of the task, keyed by id (a correction replaces it), for a trainer that
     * {@link #readsValidation()}: its gold label, pooled embedding and lexical terms.
     */
    default void validation(String exampleId, String label, TrainingExample features) {
    }

    /**
     * Whether the trainer keeps past train examples that its checkpoint does not hold, so that a
     * restart must re-read the input from its first offsets up to the checkpoint's and hand each
     * example to {@link #restoreRetained} (the features topic is a replayable log: re-reading it
     * is cheaper than checkpointing 100k vectors at every publish).
     */
    default boolean retainsInput() {
        return false;
    }

    /** An example re-read after a restart, already counted before the crash: retained, not counted again. */
    default void restoreRetained(TrainingExample example) {
    }

    @Override
    void close();

    /** @param step steps taken including this one */
    record StepResult(long step, float loss, float learningRate, int newExamples, int replayedExamples) {
    }
}
