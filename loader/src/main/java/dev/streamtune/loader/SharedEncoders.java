package dev.streamtune.loader;

import ai.djl.ndarray.NDManager;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneTokenizer;
import dev.streamtune.model.encoder.MiniLmEncoder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One frozen {@link MiniLmEncoder} (DJL, about 90 MB of native weights) and one tokenizer per token limit, per
 * backbone, per process: every version of every task that adapts the encoder runs through the same weights, so a swap
 * never re-imports them.
 *
 * <p>They live as long as the process (their managers are never closed): models that use them are closed and
 * replaced, the backbone is not. Concurrent first uses of a backbone import it once.
 */
final class SharedEncoders {
    private static final Map<String, MiniLmEncoder> ENCODERS = new ConcurrentHashMap<>();
    private static final Map<String, BackboneTokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    private SharedEncoders() {
    }

    /** The frozen encoder of {@code backbone}, imported from its ONNX file on first use. */
    static MiniLmEncoder encoder(Backbone backbone) {
        return ENCODERS.computeIfAbsent(backbone.id(), id -> {
            NDManager manager = NDManager.newBaseManager();
            try {
                return MiniLmEncoder.load(backbone, MiniLmEncoder.MINILM_HEADS, manager);
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        });
    }

    /** The tokenizer of {@code backbone} truncating to {@code maxTokens}, special tokens included. */
    static BackboneTokenizer tokenizer(Backbone backbone, int maxTokens) {
        return TOKENIZERS.computeIfAbsent(backbone.id() + "@" + maxTokens,
                key -> BackboneTokenizer.load(backbone, maxTokens));
    }
}
