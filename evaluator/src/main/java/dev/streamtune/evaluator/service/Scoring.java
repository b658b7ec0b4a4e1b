package dev.streamtune.evaluator.service;

import dev.streamtune.evaluator.ClassificationMetrics;
import dev.streamtune.subscriber.LoadedModel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Scores a loaded model on materialized examples. */
public final class Scoring {
    private Scoring() {}

    /**
     * The version's metrics on {@code examples}, in their order.
     *
     * <p>Labels are mapped through the version's own label list. An example whose label the version does not know
     * (the label set grew after it was trained) is still scored: the evaluation label list is the version's labels
     * followed by the unknown ones, with probability 0, so the example counts as wrong and its class enters
     * macro-F1 with F1 0. Dropping such examples instead would let a version that ignores a new class look better.
     *
     * @throws IllegalArgumentException when {@code examples} is empty or the model cannot score pooled features
     */
    public static ClassificationMetrics score(LoadedModel model, List<LabelledVector> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no examples to score task '" + model.task() + "' version "
                    + model.version() + " on");
        }
        if (!model.acceptsPooledFeatures()) {
            throw new IllegalArgumentException("technique '" + model.techniqueId() + "' of task '" + model.task()
                    + "' version " + model.version() + " needs text; the evaluator scores pooled feature vectors only");
        }
        Set<String> labelSet = new LinkedHashSet<>(model.labels());
        for (LabelledVector example : examples) {
            labelSet.add(example.label());
        }
        List<String> labels = new ArrayList<>(labelSet);
        int[] truth = new int[examples.size()];
        double[][] rows = new double[examples.size()][];
        for (int i = 0; i < truth.length; i++) {
            LabelledVector example = examples.get(i);
            truth[i] = labels.indexOf(example.label());
            rows[i] = model.predictFeatures(example.vector()).row(labels);
        }
        return ClassificationMetrics.evaluate(truth, rows, labels);
    }
}
