package dev.streamtune.featurizer;

import dev.streamtune.model.EmbedderConfig;
import dev.streamtune.model.SentenceEmbedder;
import dev.streamtune.model.backbone.TokenizedText;
import java.util.ArrayList;
import java.util.List;

/** The production encoder: the backbone in ONNX Runtime, tokenized once so token counts come free. */
public final class OnnxTextEncoder implements TextEncoder {
    private final SentenceEmbedder embedder;

    public OnnxTextEncoder(EmbedderConfig config) {
        this.embedder = SentenceEmbedder.open(config);
    }

    @Override
    public String backboneId() {
        return embedder.backbone().id();
    }

    @Override
    public String backboneSha256() {
        return embedder.weightsSha256();
    }

    @Override
    public List<Encoded> encode(List<String> texts) {
        List<TokenizedText> tokenized = embedder.tokenizer().encodeAll(texts);
        float[][] vectors = embedder.embedTokenized(tokenized);
        List<Encoded> out = new ArrayList<>(texts.size());
        for (int i = 0; i < vectors.length; i++) {
            out.add(new Encoded(vectors[i], tokenized.get(i).tokenCount()));
        }
        return out;
    }

    @Override
    public void close() {
        embedder.close();
    }
}
