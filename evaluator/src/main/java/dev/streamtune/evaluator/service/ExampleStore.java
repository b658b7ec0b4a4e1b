package dev.streamtune.evaluator.service;

import dev.streamtune.avro.Split;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each task's validation and test examples as text, materialized from the split topics ({@code examples.validation},
 * {@code examples.test}) and keyed by example id, so a correction (the same id with a new label) replaces the old
 * example in place: the text counterpart of {@link FeatureStore}, for techniques that run the encoder themselves.
 * Iteration order is first-arrival order, so every version scored against the same set sees "example i" as the same
 * example, which the paired McNemar test needs. Confined to the evaluator's thread.
 */
public final class ExampleStore {
    private final Map<String, Map<Split, LinkedHashMap<String, LabelledText>>> byTask = new HashMap<>();

    /** Files one example read from the topic of {@code split}; a TRAIN example only removes its id from the held-out splits. */
    public void put(String task, Split split, LabelledText example) {
        Map<Split, LinkedHashMap<String, LabelledText>> splits = byTask.computeIfAbsent(task, t -> new HashMap<>());
        for (Split heldOut : new Split[] {Split.VALIDATION, Split.TEST}) {
            if (heldOut != split) {
                LinkedHashMap<String, LabelledText> examples = splits.get(heldOut);
                if (examples != null) {
                    examples.remove(example.exampleId());
                }
            }
        }
        if (split == Split.VALIDATION || split == Split.TEST) {
            splits.computeIfAbsent(split, s -> new LinkedHashMap<>()).put(example.exampleId(), example);
        }
    }

    /** A tombstone for an example id: the example is gone from every task's held-out sets. */
    public void remove(String exampleId) {
        for (Map<Split, LinkedHashMap<String, LabelledText>> splits : byTask.values()) {
            splits.values().forEach(examples -> examples.remove(exampleId));
        }
    }

    /** The task's examples of {@code split}, in first-arrival order. */
    public List<LabelledText> examples(String task, Split split) {
        Map<Split, LinkedHashMap<String, LabelledText>> splits = byTask.get(task);
        if (splits == null || !splits.containsKey(split)) {
            return List.of();
        }
        return List.copyOf(splits.get(split).values());
    }

    public int count(String task, Split split) {
        Map<Split, LinkedHashMap<String, LabelledText>> splits = byTask.get(task);
        if (splits == null || !splits.containsKey(split)) {
            return 0;
        }
        return splits.get(split).size();
    }
}
