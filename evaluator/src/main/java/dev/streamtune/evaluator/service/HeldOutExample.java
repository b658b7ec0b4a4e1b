package dev.streamtune.evaluator.service;

import dev.streamtune.avro.Split;
import dev.streamtune.model.hybrid.LexicalTerms;
import dev.streamtune.loader.LoadedModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One held-out example as the models being compared need it: the pooled vector of the frozen backbone for head-only
 * versions, the text for versions that run the encoder themselves; either may be absent when no model in the
 * comparison needs it.
 */
public record HeldOutExample(String exampleId, String label, float[] vector, LexicalTerms terms, String text) {
    public HeldOutExample(String exampleId, String label, float[] vector, String text) {
        this(exampleId, label, vector, LexicalTerms.EMPTY, text);
    }

    public HeldOutExample {
        terms = terms == null ? LexicalTerms.EMPTY : terms;
        Objects.requireNonNull(exampleId, "exampleId");
        Objects.requireNonNull(label, "label");
        if (vector == null && text == null) {
            throw new IllegalArgumentException("held-out example '" + exampleId + "' needs a vector or a text");
        }
    }

    public static HeldOutExample of(LabelledVector example) {
        return new HeldOutExample(example.exampleId(), example.label(), example.vector(), example.terms(), null);
    }

    public static HeldOutExample of(LabelledText example) {
        return new HeldOutExample(example.exampleId(), example.label(), null, example.text());
    }

    /**
     * The task's held-out examples of {@code split} that every one of {@code models} can score, in one fixed order
     * (first arrival of the text when any model reads text, else of the vector): vectors alone when all of them
     * are head-only, texts alone when none is, and the ids present in both stores, with both, for a mix.
     *
     * @return empty when the models need vectors of different backbones, which are no common ground
     */
    static Optional<List<HeldOutExample>> commonTo(List<LoadedModel> models, String task, Split split,
            FeatureStore features, ExampleStore texts) {
        Set<String> vectorBackbones = new HashSet<>();
        boolean anyText = false;
        for (LoadedModel model : models) {
            if (model.acceptsPooledFeatures()) {
                vectorBackbones.add(model.backboneId());
            } else {
                anyText = true;
            }
        }
        if (vectorBackbones.size() > 1) {
            return Optional.empty();
        }
        String backbone = vectorBackbones.isEmpty() ? null : vectorBackbones.iterator().next();
        if (!anyText) {
            return Optional.of(features.examples(task, split, backbone).stream().map(HeldOutExample::of).toList());
        }
        List<LabelledText> textExamples = texts.examples(task, split);
        if (backbone == null) {
            return Optional.of(textExamples.stream().map(HeldOutExample::of).toList());
        }
        Map<String, LabelledVector> vectors = new HashMap<>();
        for (LabelledVector vector : features.examples(task, split, backbone)) {
            vectors.put(vector.exampleId(), vector);
        }
        List<HeldOutExample> both = new ArrayList<>();
        for (LabelledText text : textExamples) {
            LabelledVector vector = vectors.get(text.exampleId());
            if (vector != null) {
                // the split topic is the source of truth for the label; the vector may lag a correction by a batch
                both.add(new HeldOutExample(text.exampleId(), text.label(), vector.vector(), vector.terms(),
                        text.text()));
            }
        }
        return Optional.of(both);
    }
}
