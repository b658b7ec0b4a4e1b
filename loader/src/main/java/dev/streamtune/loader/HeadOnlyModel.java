package dev.streamtune.loader;

import dev.streamtune.model.TextEncoder;
import dev.streamtune.model.head.Predictor;
import java.util.List;
import java.util.Objects;

/** A head-only version: {@link Predictor} on the pooled embedding, which the frozen backbone computes from text. */
final class HeadOnlyModel implements LoadedModel {
    private final String task;
    private final long version;
    private final String techniqueId;
    private final Predictor predictor;
    private final TextEncoder encoder;

    HeadOnlyModel(String task, long version, String techniqueId, Predictor predictor, TextEncoder encoder) {
        this.task = Objects.requireNonNull(task, "task");
        this.version = version;
        this.techniqueId = techniqueId;
        this.predictor = Objects.requireNonNull(predictor, "predictor");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
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
        return predictor.labels();
    }

    @Override
    public String backboneId() {
        return predictor.base().backboneId();
    }

    @Override
    public String techniqueId() {
        return techniqueId;
    }

    @Override
    public String deltaSha256() {
        return predictor.deltaSha256();
    }

    @Override
    public boolean acceptsPooledFeatures() {
        return true;
    }

    @Override
    public Prediction predictFeatures(float[] pooledEmbedding) {
        Objects.requireNonNull(pooledEmbedding, "pooledEmbedding");
        return Prediction.of(predictor.labels(), predictor.predict(pooledEmbedding).probabilities(), version);
    }

    @Override
    public Prediction predictText(String text) {
        Objects.requireNonNull(text, "text");
        return predictFeatures(encoder.encode(text));
    }

    @Override
    public String toString() {
        return "HeadOnlyModel[task=" + task + ", version=" + version + ", " + predictor.spec().kind() + " head, labels="
                + predictor.labels() + "]";
    }
}
