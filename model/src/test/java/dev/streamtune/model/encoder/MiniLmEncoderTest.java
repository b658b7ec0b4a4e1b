package dev.streamtune.model.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.streamtune.model.EmbedderConfig;
import dev.streamtune.model.SentenceEmbedder;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.model.backbone.TokenizedText;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/** The DJL encoder, rebuilt from the ONNX initializers, against ONNX Runtime on the same real weights. */
@Tag("model")
class MiniLmEncoderTest {

    /** 3 to 32 tokens, so one batch carries a lot of padding in most rows. */
    private static final List<String> SENTENCES = List.of(
            "Hi",
            "The quarterly report shows revenue grew by twelve percent while operating costs stayed flat, "
                    + "which the board attributes to the new subscription pricing.",
            "A man is playing a guitar on the street.",
            "Click here to claim your free prize now!!! Limited offer, act fast.",
            "Meeting moved to 3pm.",
            "ok",
            "Could you please send me the slides from yesterday's talk about distributed consensus?",
            "Unsubscribe from this list by replying STOP.");
    private static final int MAX_TOKENS = 32;

    private static NDManager manager;
    private static MiniLmEncoder encoder;
    private static SentenceEmbedder onnx;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        encoder = MiniLmEncoder.load(BackboneRegistry.standard().byId(MiniLmL6V2Provider.ID),
                MiniLmEncoder.MINILM_HEADS, manager);
        onnx = SentenceEmbedder.open(new EmbedderConfig(MiniLmL6V2Provider.ID, MAX_TOKENS, 8, 8, 2));
    }

    @AfterAll
    static void close() {
        onnx.close();
        encoder.close();
        manager.close();
    }

    @Test
    void importsTheMiniLmShapeFromTheOnnxInitializers() {
        EncoderArchitecture architecture = encoder.architecture();
        assertThat(architecture).isEqualTo(new EncoderArchitecture(6, 384, 12, 1536, 30522, 512, 2, 1e-12f));
        // 6 x 16 layer tensors + 5 embedding tensors: 22.57 M weights (the 22.7 M usually quoted counts
        // BERT's pooler, which sentence-transformers never uses and the ONNX export leaves out)
        assertThat(encoder.parameterNames()).hasSize(6 * 16 + 5);
        assertThat(encoder.parameterCount()).isEqualTo(22_565_376L);
        // a transposed MatMul weight recovered under its layer's real name, [in, out]
        assertThat(encoder.frozenParameter("encoder.layer.5.intermediate.dense.weight").getShape().getShape())
                .containsExactly(384, 1536);
    }

    @Test
    void matchesOnnxRuntimeOnAPaddedBatchOfDifferentLengths() {
        List<TokenizedText> tokens = onnx.tokenizer().encodeAll(SENTENCES);
        assertThat(tokens.stream().mapToInt(TokenizedText::tokenCount).min().orElseThrow()).isLessThan(5);
        assertThat(tokens.stream().mapToInt(TokenizedText::tokenCount).max().orElseThrow()).isGreaterThan(20);

        float[][] expected = onnx.embedTokenized(tokens);
        float[][] actual = encoder.embed(tokens, MAX_TOKENS);

        double worst = 0;
        for (int row = 0; row < expected.length; row++) {
            for (int i = 0; i < expected[row].length; i++) {
                worst = Math.max(worst, Math.abs(expected[row][i] - actual[row][i]));
            }
        }
        assertThat(worst).as("largest difference to ONNX Runtime").isLessThan(1e-4);
    }

    @Test
    void refusesRowsLongerThanTheTokenLimit() {
        List<TokenizedText> tokens = onnx.tokenizer().encodeAll(List.of(SENTENCES.get(1)));
        assertThatThrownBy(() -> encoder.embed(tokens, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxTokens=4");
    }
}
