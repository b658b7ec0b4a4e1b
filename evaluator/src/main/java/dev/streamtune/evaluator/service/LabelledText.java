package dev.streamtune.evaluator.service;

import java.util.Objects;

/** One materialized validation or test example as text: its id, gold label and the text itself. */
public record LabelledText(String exampleId, String label, String text) {
    public LabelledText {
        Objects.requireNonNull(exampleId, "exampleId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(text, "text");
    }
}
