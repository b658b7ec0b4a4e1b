package dev.streamtune.model.backbone;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackboneTokenizerTest {

    private static final long CLS = 101;
    private static final long SEP = 102;
    private static final Backbone MINILM = BackboneRegistry.standard().byId("all-MiniLM-L6-v2");
    private static BackboneTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = BackboneTokenizer.load(MINILM, 16);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void addsSpecialTokensAndLowercasesWordPieces() {
        TokenizedText text = tokenizer.encode("Hello World");
        // [CLS] hello world [SEP]: the MiniLM vocabulary is uncased
        assertThat(text.inputIds()).containsExactly(CLS, 7592, 2088, SEP);
        assertThat(text.attentionMask()).containsOnly(1L);
        assertThat(text.tokenTypeIds()).containsOnly(0L);
        assertThat(text.tokenCount()).isEqualTo(4);
        assertThat(text.truncated()).isFalse();
    }

    @Test
    void doesNotPadDespiteTheFixedPaddingInTokenizerJson() {
        List<TokenizedText> texts = tokenizer.encodeAll(List.of("short", "a somewhat longer sentence here"));
        assertThat(texts.get(0).tokenCount()).isEqualTo(3);
        assertThat(texts.get(1).tokenCount()).isEqualTo(7);
        assertThat(tokenizer.encode("").inputIds()).containsExactly(CLS, SEP);
    }

    @Test
    void truncatesToMaxTokensKeepingTheFinalSeparator() {
        String longText = "word ".repeat(100);
        TokenizedText text = tokenizer.encode(longText);
        assertThat(text.tokenCount()).isEqualTo(16);
        assertThat(text.inputIds()[0]).isEqualTo(CLS);
        assertThat(text.inputIds()[15]).isEqualTo(SEP);
        assertThat(text.truncated()).isTrue();
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> BackboneTokenizer.load(MINILM, 513))
                .hasMessageContaining("maxTokens must be between 2 and 512")
                .hasMessageContaining("was 513");
        assertThatThrownBy(() -> BackboneTokenizer.load(MINILM, 1)).hasMessageContaining("was 1");
        assertThatThrownBy(() -> tokenizer.encodeAll(java.util.Arrays.asList("ok", null)))
                .hasMessageContaining("texts[1] must not be null");
    }
}
