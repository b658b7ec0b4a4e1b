package dev.streamtune.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GateConfigTest {

    @Test
    void defaultsAreValidAndSensible() {
        GateConfig defaults = GateConfig.defaults();
        assertThat(defaults.alpha()).isEqualTo(0.05);
        assertThat(defaults.minMacroF1Improvement()).isEqualTo(0.005);
        assertThat(defaults.minValidationExamples()).isEqualTo(200);
        assertThat(defaults.refreshEnabled()).isFalse();
        assertThat(defaults.maxLabels()).as("ingest's default labels per open task").isEqualTo(1_000);
    }

    @Test
    void edgesOfTheValidRangesAreAccepted() {
        assertThat(new GateConfig(0, 0.5, 1).alpha()).isEqualTo(0.5);
        assertThat(new GateConfig(0.999, 1e-9, Integer.MAX_VALUE).minValidationExamples()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void eachFieldIsValidatedWithItsNameAndLimit() {
        assertThatThrownBy(() -> new GateConfig(-0.01, 0.05, 200))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("minMacroF1Improvement must be in [0, 1), got -0.01");
        assertThatThrownBy(() -> new GateConfig(1.0, 0.05, 200)).hasMessageContaining("minMacroF1Improvement must be in [0, 1)");
        assertThatThrownBy(() -> new GateConfig(Double.NaN, 0.05, 200)).hasMessageContaining("minMacroF1Improvement");
        assertThatThrownBy(() -> new GateConfig(0.01, 0, 200)).hasMessage("alpha must be in (0, 0.5], got 0.0");
        assertThatThrownBy(() -> new GateConfig(0.01, 0.6, 200)).hasMessageContaining("alpha must be in (0, 0.5]");
        assertThatThrownBy(() -> new GateConfig(0.01, Double.NaN, 200)).hasMessageContaining("alpha");
        assertThatThrownBy(() -> new GateConfig(0.01, 0.05, 0)).hasMessage("minValidationExamples must be >= 1, got 0");
        assertThatThrownBy(() -> GateConfig.defaults().withMaxLabels(1)).hasMessage("maxLabels must be in [2, 100000], got 1");
        assertThatThrownBy(() -> GateConfig.defaults().withMaxLabels(100_001))
                .hasMessage("maxLabels must be in [2, 100000], got 100001");
        GateConfig wide = GateConfig.defaults().withRefreshTolerance(0.02).withMaxLabels(5_000);
        assertThat(wide.maxLabels()).isEqualTo(5_000);
        assertThat(wide.withMinValidationExamples(10).withoutRefresh().maxLabels()).as("kept by the other withers")
                .isEqualTo(5_000);
    }
}
