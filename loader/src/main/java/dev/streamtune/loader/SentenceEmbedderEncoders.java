package dev.streamtune.loader;

import dev.streamtune.model.TextEncoder;
import dev.streamtune.model.EmbedderConfig;
import dev.streamtune.model.SentenceEmbedder;
import dev.streamtune.model.backbone.Backbone;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One ONNX Runtime {@link SentenceEmbedder} per backbone, opened the first time a model on that backbone loads and
 * shared by every later version: swapping a head never reopens the encoder.
 */
public final class SentenceEmbedderEncoders implements TextEncoderProvider, AutoCloseable {
    private final EmbedderConfig template;
    private final Map<String, SentenceEmbedder> open = new ConcurrentHashMap<>();

    /** @param template tokens, batch and thread settings; its backbone id is replaced by each model's */
    public SentenceEmbedderEncoders(EmbedderConfig template) {
        this.template = Objects.requireNonNull(template, "template");
    }

    @Override
    public TextEncoder forBackbone(Backbone backbone) {
        SentenceEmbedder embedder = open.computeIfAbsent(backbone.id(),
                id -> SentenceEmbedder.open(template.withBackboneId(id)));
        return embedder;
    }

    @Override
    public void close() {
        open.values().forEach(SentenceEmbedder::close);
        open.clear();
    }
}
