package dev.streamtune.evaluator.service;

import dev.streamtune.avro.Split;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each task's validation and test items keyed by example id, so a correction (the same id again) replaces the old
 * item in place, and an id filed under another split leaves the held-out set it was in (its split moved). Iteration
 * order is first-arrival order, which makes "example i" the same example for every version scored against the same
 * set: the paired McNemar test needs exactly that. Each task's split holds at most {@code maxPerSplit} items: past it
 * the oldest leaves as a new one arrives, so a stream that runs for weeks keeps a bounded, recent held-out set (a
 * version and its champion are still scored on the same items, since both are scored at the same moment). Confined
 * to the evaluator's thread.
 *
 * @param <T> what is kept per example: a pooled vector ({@link FeatureStore}) or a text ({@link ExampleStore})
 */
final class HeldOutSets<T> {
    private final Map<String, Map<Split, LinkedHashMap<String, T>>> byTask = new HashMap<>();
    private final int maxPerSplit;

    HeldOutSets(int maxPerSplit) {
        if (maxPerSplit < 1) {
            throw new IllegalArgumentException("maxHeldOut must be >= 1, got " + maxPerSplit);
        }
        this.maxPerSplit = maxPerSplit;
    }

    /** Files an item read from {@code split}; for TRAIN (or any other split) the id only leaves the held-out sets. */
    void put(String task, Split split, String exampleId, T item) {
        Map<Split, LinkedHashMap<String, T>> splits = byTask.computeIfAbsent(task, t -> new HashMap<>());
        for (Split heldOut : new Split[] {Split.VALIDATION, Split.TEST}) {
            if (heldOut != split) {
                LinkedHashMap<String, T> items = splits.get(heldOut);
                if (items != null) {
                    items.remove(exampleId);
                }
            }
        }
        if (split == Split.VALIDATION || split == Split.TEST) {
            LinkedHashMap<String, T> items = splits.computeIfAbsent(split, s -> new LinkedHashMap<>());
            items.put(exampleId, item);
            while (items.size() > maxPerSplit) {
                items.remove(items.keySet().iterator().next());
            }
        }
    }

    /** A tombstone for an example id: it is gone from every task's held-out sets. */
    void remove(String exampleId) {
        for (Map<Split, LinkedHashMap<String, T>> splits : byTask.values()) {
            splits.values().forEach(items -> items.remove(exampleId));
        }
    }

    /** The task's items of {@code split}, in first-arrival order. */
    List<T> items(String task, Split split) {
        Map<Split, LinkedHashMap<String, T>> splits = byTask.get(task);
        return splits == null || !splits.containsKey(split) ? List.of() : List.copyOf(splits.get(split).values());
    }

    int count(String task, Split split) {
        Map<Split, LinkedHashMap<String, T>> splits = byTask.get(task);
        return splits == null || !splits.containsKey(split) ? 0 : splits.get(split).size();
    }
}
