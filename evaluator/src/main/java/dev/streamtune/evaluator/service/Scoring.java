package dev.streamtune.evaluator.service;

import dev.streamtune.evaluator.ClassificationMetrics;
import dev.streamtune.loader.LoadedModel;
import dev.streamtune.loader.Prediction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Scores a loaded model on materialized examples. */
public final class Scoring {
    private Scoring() {}

    /**
     * The version's metrics on {@code examples}, in their order: a head-only version predicts each example's pooled
     * vector; a version that runs the encoder itself (prompts, LoRA, ATTEMPT, ...) predicts the texts, in batches.
     *
     * <p>Labels are mapped through the version's own label list. An example whose label the version does not know
     * (the label set grew after it was trained) is still scored: the evaluation label list is the version's labels
     * followed by the unknown ones, with probability 0, so the example counts as wrong and its class enters
     * macro-F1 with F1 0. Dropping such examples instead would let a version that ignores a new class look better.
     *
     * @param maxLabels the most labels (the version's and the examples' together) it may score with; the
     *                  probability rows take one double per label and example
     * @throws IllegalArgumentException when {@code examples} is empty, an example lacks the vector or the text the
     *         model needs, or there are more than {@code maxLabels} labels (checked before anything is predicted)
     */
    public static ClassificationMetrics score(LoadedModel model, List<HeldOutExample> examples, int maxLabels) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no examples to score task '" + model.task() + "' version "
                    + model.version() + " on");
        }
        Map<String, Integer> index = new LinkedHashMap<>();
        for (String label : model.labels()) {
            index.putIfAbsent(label, index.size());
        }
        for (HeldOutExample example : examples) {
            index.putIfAbsent(example.label(), index.size());
        }
        if (index.size() > maxLabels) {
            throw new IllegalArgumentException("task '" + model.task() + "' version " + model.version() + " would be"
                    + " scored on " + index.size() + " labels (" + model.labels().size() + " of its own, the rest from "
                    + examples.size() + " held-out examples); the limit is maxLabels " + maxLabels);
        }
        List<String> labels = new ArrayList<>(index.keySet());
        List<Prediction> predictions = predict(model, examples);
        int[] truth = new int[examples.size()];
        double[][] rows = new double[examples.size()][];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = index.get(examples.get(i).label());
            rows[i] = predictions.get(i).row(labels);
        }
        return ClassificationMetrics.evaluate(truth, rows, labels);
    }

    private static List<Prediction> predict(LoadedModel model, List<HeldOutExample> examples) {
        if (model.acceptsPooledFeatures()) {
            List<Prediction> predictions = new ArrayList<>(examples.size());
            for (HeldOutExample example : examples) {
                if (example.vector() == null) {
                    throw new IllegalArgumentException("example '" + example.exampleId() + "' has no pooled vector "
                            + "for head-only version " + model.version() + " of task '" + model.task() + "'");
                }
                predictions.add(model.predictFeatures(example.vector(), example.terms()));
            }
            return predictions;
        }
        List<String> texts = new ArrayList<>(examples.size());
        for (HeldOutExample example : examples) {
            if (example.text() == null) {
                throw new IllegalArgumentException("example '" + example.exampleId() + "' has no text for version "
                        + model.version() + " of task '" + model.task() + "' (technique '" + model.techniqueId()
                        + "' predicts from text)");
            }
            texts.add(example.text());
        }
        return model.predictTexts(texts);
    }
}
