package dev.streamtune.evaluator.service;

import java.util.Objects;

/** One materialized validation or test example: its id, gold label, the backbone that embedded it, and the vector. */
public record LabelledVector(String exampleId, String label, String backbone, float[] vector) {
    public LabelledVector {
        Objects.requireNonNull(exampleId, "exampleId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(backbone, "backbone");
        Objects.requireNonNull(vector, "vector");
    }
}
