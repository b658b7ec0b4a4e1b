package dev.streamtune.model.technique;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.model.head.HeadKind;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TechniqueSettingsTest {

    @Test
    void defaultsToALinearHeadAndKeepsOtherKeysAsOptions() {
        TechniqueSpec spec = TechniqueSettings.fromSettings("head", 384, Map.of("lr", "0.001"));
        assertThat(spec.head().kind()).isEqualTo(HeadKind.LINEAR);
        assertThat(spec.head().inputDim()).isEqualTo(384);
        assertThat(spec.options()).containsExactly(Map.entry("lr", "0.001"));
    }

    @Test
    void roundTripsAnMlpSpec() {
        TechniqueSpec spec = TechniqueSettings.fromSettings("lora", 384,
                Map.of("head", "MLP", "hidden", "64", "dropout", "0.2", "rank", "8"));
        assertThat(spec.head().hiddenSize()).isEqualTo(64);
        assertThat(spec.head().dropout()).isEqualTo(0.2f);
        Map<String, String> settings = TechniqueSettings.toSettings(spec);
        assertThat(TechniqueSettings.fromSettings("lora", 384, settings)).isEqualTo(spec);
        assertThat(settings).containsEntry("head", "mlp").containsEntry("rank", "8");
    }

    @Test
    void badValuesNameTheSetting() {
        assertThatThrownBy(() -> TechniqueSettings.fromSettings("head", 384, Map.of("head", "mlp", "hidden", "wide")))
                .hasMessageContaining("'hidden' must be a whole number").hasMessageContaining("wide");
        assertThatThrownBy(() -> TechniqueSettings.fromSettings("head", 384, Map.of("head", "forest")))
                .hasMessageContaining("head kind").hasMessageContaining("forest");
    }
}
