package dev.streamtune.trainer;

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
 */
public record TrainerState(String techniqueId, HeadSpec head, List<String> labels, long step, long examplesSeen,
        long rngState, List<NamedTensor> parameters, AdamW.State optimizer, long[] classCounts,
        ClassBalancedReplayBuffer.State replay, Map<String, Long> nextOffsets) {

    public TrainerState {
        Objects.requireNonNull(techniqueId, "techniqueId");
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(replay, "replay");
        labels = List.copyOf(labels);
        parameters = List.copyOf(parameters);
        classCounts = classCounts.clone();
        nextOffsets = Map.copyOf(nextOffsets);
        if (classCounts.length != labels.size()) {
            throw new IllegalArgumentException("trainer state has " + labels.size() + " labels but "
                    + classCounts.length + " class counts");
        }
        if (step < 0 || examplesSeen < 0) {
            throw new IllegalArgumentException("step and examplesSeen must be >= 0, got " + step + " and " + examplesSeen);
        }
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
                && nextOffsets.equals(that.nextOffsets);
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
