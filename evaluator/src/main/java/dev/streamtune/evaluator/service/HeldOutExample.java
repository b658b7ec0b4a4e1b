package dev.streamtune.evaluator.service;

import dev.streamtune.model.hybrid.LexicalTerms;
import java.util.Objects;

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
}
