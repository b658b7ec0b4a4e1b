package dev.streamtune.evaluator.service;

import dev.streamtune.model.hybrid.LexicalTerms;
import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.Split;
import java.util.ArrayList;
import java.util.List;

/**
 * Each task's validation and test examples, materialized from the features topics and keyed by example id, so a
 * correction (the same id with a new label) replaces the old example in place. Iteration order is first-arrival
 * order, which makes "example i" the same example for every version scored against the same set: the paired
 * McNemar test needs exactly that. Confined to the evaluator's thread.
 */
public final class FeatureStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FeatureStore.class);
    private final HeldOutSets<LabelledVector> sets;

    /** At most {@code maxHeldOut} examples per task and split, the newest (see {@link HeldOutSets}). */
    public FeatureStore(int maxHeldOut) {
        this.sets = new HeldOutSets<>(maxHeldOut);
    }

    /** Files one feature vector; a TRAIN vector only removes the id from the held-out splits (it moved). */
    public void put(FeatureVector feature) {
        Split split = feature.getSplit();
        LabelledVector example = null;
        if (split == Split.VALIDATION || split == Split.TEST) {
            float[] vector = new float[feature.getVector().size()];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = feature.getVector().get(i);
            }
            example = new LabelledVector(feature.getExampleId(), feature.getLabel(), feature.getBackbone(), vector,
                    terms(feature));
        }
        sets.put(feature.getTask(), split, feature.getExampleId(), example);
    }

    /** The vector's lexical terms; malformed ones (not from our featurizer) count as none, with a warning. */
    static LexicalTerms terms(FeatureVector feature) {
        try {
            return LexicalTerms.of(feature.getTerms(), feature.getTermCounts());
        } catch (IllegalArgumentException e) {
            LOG.warn("example '{}': ignoring its lexical terms: {}", feature.getExampleId(), e.getMessage());
            return LexicalTerms.EMPTY;
        }
    }

    /** A tombstone for an example id: the example is gone from every task's held-out sets. */
    public void remove(String exampleId) {
        sets.remove(exampleId);
    }

    /** The task's examples of {@code split} embedded by {@code backbone}, in first-arrival order. */
    public List<LabelledVector> examples(String task, Split split, String backbone) {
        List<LabelledVector> matching = new ArrayList<>();
        for (LabelledVector example : sets.items(task, split)) {
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
