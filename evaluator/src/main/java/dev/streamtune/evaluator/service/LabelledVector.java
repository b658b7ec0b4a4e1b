package dev.streamtune.evaluator.service;

import dev.streamtune.model.hybrid.LexicalTerms;
import java.util.Objects;

/**
 * One materialized validation or test example: its id, gold label, the backbone that embedded it, the vector, and
 * the text's hashed word n-grams (empty when the featurizer sent none).
 */
public record LabelledVector(String exampleId, String label, String backbone, float[] vector, LexicalTerms terms) {
    public LabelledVector(String exampleId, String label, String backbone, float[] vector) {
        this(exampleId, label, backbone, vector, LexicalTerms.EMPTY);
    }

    public LabelledVector {
        terms = terms == null ? LexicalTerms.EMPTY : terms;
        Objects.requireNonNull(exampleId, "exampleId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(backbone, "backbone");
        Objects.requireNonNull(vector, "vector");
    }
}
