package dev.streamtune.evaluator.service;

import dev.streamtune.avro.Split;
import java.util.List;

/**
 * Each task's validation and test examples as text, materialized from the split topics ({@code examples.validation},
 * {@code examples.test}) and keyed by example id, so a correction replaces the old example in place: the text
 * counterpart of {@link FeatureStore}, for techniques that run the encoder themselves. First-arrival order, as
 * {@link HeldOutSets} keeps it. Confined to the evaluator's thread.
 */
public final class ExampleStore {
    private final HeldOutSets<LabelledText> sets;

    /** At most {@code maxHeldOut} examples per task and split, the newest (see {@link HeldOutSets}). */
    public ExampleStore(int maxHeldOut) {
        this.sets = new HeldOutSets<>(maxHeldOut);
    }

    /** Files one example read from the topic of {@code split}; a TRAIN example only leaves the held-out splits. */
    public void put(String task, Split split, LabelledText example) {
        sets.put(task, split, example.exampleId(), example);
    }

    /** A tombstone for an example id: the example is gone from every task's held-out sets. */
    public void remove(String exampleId) {
        sets.remove(exampleId);
    }

    /** The task's examples of {@code split}, in first-arrival order. */
    public List<LabelledText> examples(String task, Split split) {
        return sets.items(task, split);
    }

    public int count(String task, Split split) {
        return sets.count(task, split);
    }
}
