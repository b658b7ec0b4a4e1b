package dev.streamtune.trainer;

import dev.streamtune.model.optim.AdamOptimizer;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.head.HeadSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a trainer needs to continue bit-for-bit: what a checkpoint holds.
 *
 * @param step optimizer steps taken
 * @param examplesSeen new (not replayed) examples trained on
 * @param rngState the {@link dev.streamtune.model.technique.DeterministicRandom} state
 * @param classCounts new examples seen per label index (class weights derive from them)
 * @param nextOffsets opaque to the trainer: the Kafka loop's next offset per topic-partition
 * @param annotations opaque to the trainer: what the Kafka loop must know to act on this checkpoint
 *     after a crash (the version number it is about to publish, the offset ranges that version
 *     covers); saved in the same atomic file, so it can never disagree with the tensors
 */
public record TrainerState(String techniqueId, HeadSpec head, List<String> labels, long step, long examplesSeen,
        long rngState, List<NamedTensor> parameters, AdamOptimizer.State optimizer, long[] classCounts,
        ClassBalancedReplayBuffer.State replay, Map<String, Long> nextOffsets, Map<String, String> annotations) {

    public TrainerState {
        Objects.requireNonNull(techniqueId, "techniqueId");
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(replay, "replay");
        labels = List.copyOf(labels);
        parameters = List.copyOf(parameters);
        classCounts = classCounts.clone();
        nextOffsets = Map.copyOf(nextOffsets);
        annotations = Map.copyOf(annotations);
        if (classCounts.length != labels.size()) {
            throw new IllegalArgumentException("trainer state has " + labels.size() + " labels but "
                    + classCounts.length + " class counts");
        }
        if (step < 0 || examplesSeen < 0) {
            throw new IllegalArgumentException("step and examplesSeen must be >= 0, got " + step + " and " + examplesSeen);
        }
    }

    /** A state without annotations. */
    public TrainerState(String techniqueId, HeadSpec head, List<String> labels, long step, long examplesSeen,
            long rngState, List<NamedTensor> parameters, AdamOptimizer.State optimizer, long[] classCounts,
            ClassBalancedReplayBuffer.State replay, Map<String, Long> nextOffsets) {
        this(techniqueId, head, labels, step, examplesSeen, rngState, parameters, optimizer, classCounts, replay,
                nextOffsets, Map.of());
    }

    /** This state with {@code newAnnotations} in place of its annotations. */
    public TrainerState withAnnotations(Map<String, String> newAnnotations) {
        return new TrainerState(techniqueId, head, labels, step, examplesSeen, rngState, parameters, optimizer,
                classCounts, replay, nextOffsets, newAnnotations);
    }

    @Override
    public long[] classCounts() {
        return classCounts.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TrainerState that && techniqueId.equals(that.techniqueId) && head.equals(that.head)
                && labels.equals(that.labels) && step == that.step && examplesSeen == that.examplesSeen
                && rngState == that.rngState && parameters.equals(that.parameters) && optimizer.equals(that.optimizer)
                && Arrays.equals(classCounts, that.classCounts) && replay.equals(that.replay)
                && nextOffsets.equals(that.nextOffsets) && annotations.equals(that.annotations);
    }

    @Override
    public int hashCode() {
        return Objects.hash(techniqueId, head, labels, step, examplesSeen, rngState, parameters, nextOffsets);
    }

    @Override
    public String toString() {
        return "TrainerState[technique=" + techniqueId + ", labels=" + labels + ", step=" + step + ", examplesSeen="
                + examplesSeen + ", offsets=" + nextOffsets + "]";
    }
}
