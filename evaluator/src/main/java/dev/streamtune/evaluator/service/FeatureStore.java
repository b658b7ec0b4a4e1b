package dev.streamtune.evaluator.service;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.Split;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each task's validation and test examples, materialized from the features topics and keyed by example id, so a
 * correction (the same id with a new label) replaces the old example in place. Iteration order is first-arrival
 * order, which makes "example i" the same example for every version scored against the same set: the paired
 * McNemar test needs exactly that. Confined to the evaluator's thread.
 */
public final class FeatureStore {
    private final Map<String, Map<Split, LinkedHashMap<String, LabelledVector>>> byTask = new HashMap<>();

    /** Files one feature vector; a TRAIN vector only removes the id from the held-out splits (it moved). */
    public void put(FeatureVector feature) {
        String task = feature.getTask();
        Split split = feature.getSplit();
        Map<Split, LinkedHashMap<String, LabelledVector>> splits = byTask.computeIfAbsent(task, t -> new HashMap<>());
        for (Split heldOut : new Split[] {Split.VALIDATION, Split.TEST}) {
            if (heldOut != split) {
                LinkedHashMap<String, LabelledVector> examples = splits.get(heldOut);
                if (examples != null) {
                    examples.remove(feature.getExampleId());
                }
            }
        }
        if (split == Split.VALIDATION || split == Split.TEST) {
            float[] vector = new float[feature.getVector().size()];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = feature.getVector().get(i);
            }
            splits.computeIfAbsent(split, s -> new LinkedHashMap<>()).put(feature.getExampleId(),
                    new LabelledVector(feature.getExampleId(), feature.getLabel(), feature.getBackbone(), vector));
        }
    }

    /** A tombstone for an example id: the example is gone from every task's held-out sets. */
    public void remove(String exampleId) {
        for (Map<Split, LinkedHashMap<String, LabelledVector>> splits : byTask.values()) {
            splits.values().forEach(examples -> examples.remove(exampleId));
        }
    }

    /** The task's examples of {@code split} embedded by {@code backbone}, in first-arrival order. */
    public List<LabelledVector> examples(String task, Split split, String backbone) {
        Map<Split, LinkedHashMap<String, LabelledVector>> splits = byTask.get(task);
        if (splits == null || !splits.containsKey(split)) {
            return List.of();
        }
        List<LabelledVector> matching = new ArrayList<>();
        for (LabelledVector example : splits.get(split).values()) {
            if (example.backbone().equals(backbone)) {
                matching.add(example);
            }
        }
        return matching;
    }

    public int count(String task, Split split, String backbone) {
        return examples(task, split, backbone).size();
    }
}
