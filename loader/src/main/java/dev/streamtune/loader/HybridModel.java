package dev.streamtune.loader;

import dev.streamtune.model.TextEncoder;
import dev.streamtune.model.hybrid.HybridClassifier;
import dev.streamtune.model.hybrid.LexicalHasher;
import dev.streamtune.model.hybrid.LexicalTerms;
import java.util.List;
import java.util.Objects;

/**
 * A hybrid version: {@link HybridClassifier} on the frozen backbone's pooled embedding and the text's hashed word
 * n-grams ({@link LexicalHasher}, the same hashing the featurizer applies). From text it computes both; from features
 * it takes what the featurizer published.
 */
final class HybridModel implements LoadedModel {
    private final String task;
    private final long version;
    private final List<String> labels;
    private final String backboneId;
    private final String deltaSha256;
    private final HybridClassifier classifier;
    private final TextEncoder encoder;

    HybridModel(String task, long version, List<String> labels, String backboneId, String deltaSha256,
            HybridClassifier classifier, TextEncoder encoder) {
        this.task = Objects.requireNonNull(task, "task");
        this.version = version;
        this.labels = List.copyOf(labels);
        this.backboneId = Objects.requireNonNull(backboneId, "backboneId");
        this.deltaSha256 = Objects.requireNonNull(deltaSha256, "deltaSha256");
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        if (classifier.labelCount() != this.labels.size()) {
            throw new IllegalArgumentException("hybrid delta has " + classifier.labelCount() + " outputs for "
                    + this.labels.size() + " labels");
        }
    }

    @Override
    public String task() {
        return task;
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public String backboneId() {
        return backboneId;
    }

    @Override
    public String techniqueId() {
        return dev.streamtune.model.hybrid.HybridTechnique.ID;
    }

    @Override
    public String deltaSha256() {
        return deltaSha256;
    }

    @Override
    public boolean acceptsPooledFeatures() {
        return true;
    }

    /** The embedding alone, as if the text had no words: only for callers that have nothing else. */
    @Override
    public Prediction predictFeatures(float[] pooledEmbedding) {
        return predictFeatures(pooledEmbedding, LexicalTerms.EMPTY);
    }

    @Override
    public Prediction predictFeatures(float[] pooledEmbedding, LexicalTerms terms) {
        Objects.requireNonNull(pooledEmbedding, "pooledEmbedding");
        return Prediction.of(labels, classifier.probabilities(pooledEmbedding,
                terms == null ? LexicalTerms.EMPTY : terms), version);
    }

    @Override
    public Prediction predictText(String text) {
        Objects.requireNonNull(text, "text");
        return predictFeatures(encoder.encode(text), LexicalHasher.terms(text));
    }

    @Override
    public String toString() {
        return "HybridModel[task=" + task + ", version=" + version + ", lexical x" + classifier.lexicalScale()
                + " + embedding x" + classifier.denseScale() + ", " + classifier.buckets() + " buckets, labels="
                + labels + "]";
    }
}
