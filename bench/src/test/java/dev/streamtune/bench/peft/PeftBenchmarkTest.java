package dev.streamtune.bench.peft;

import dev.streamtune.model.peft.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

@Tag("model")
class PeftBenchmarkTest {

    @Test
    void smokeRunReportsEveryFigureForHeadOnlyAndAttempt() throws Exception {
        PeftBenchmarkConfig config = PeftBenchmarkConfig.defaults()
                .withTechniques(List.of("head", AttemptTechnique.ID))
                .withSizes(16, 16, 8)
                .withTraining(1, 8, 32);
        List<String> progress = new ArrayList<>();
        PeftBenchmark.Result result = PeftBenchmark.run(config, progress::add);

        assertThat(result.techniques()).containsOnlyKeys("head", "attempt");
        assertThat(result.sourceTasks()).containsExactly("fortunes@prompt", "wordnet-senses@prompt");
        assertThat(progress).anyMatch(line -> line.startsWith("[attempt] step 2/2") && line.contains("examples/s")
                && line.contains("ETA"));
        JsonNode json = new ObjectMapper().readTree(result.toJson());
        for (String id : List.of("head", "attempt")) {
            JsonNode node = json.get(id);
            assertThat(node.get("test_macro_f1").asDouble()).isBetween(0.0, 1.0);
            assertThat(node.get("examples_per_s").asDouble()).isPositive();
            assertThat(node.get("trainable_fraction").asDouble()).isLessThan(0.01);
        }
        assertThat(json.get("head").get("trainable_params").asLong()).isEqualTo(2 * 384 + 2);
        assertThat(json.get("attempt").get("trainable_params").asLong())
                .isEqualTo(20 * 384 + 384 * 32 + 32 + 32 * 384 + 384 + 2 * 384 + 2);
        assertThat(json.get("attempt").get("trainable_fraction").asDouble())
                .isCloseTo(33_442.0 / 22_565_376, within(1e-9));
    }

    @Test
    void macroF1AveragesThePerLabelF1() {
        // label 0: tp 2, fp 1, fn 0 -> 0.8; label 1: tp 1, fp 0, fn 1 -> 2/3
        double f1 = PeftBenchmark.macroF1(new int[] {0, 0, 1, 1}, new int[] {0, 0, 0, 1}, 2);
        assertThat(f1).isCloseTo((0.8 + 2.0 / 3) / 2, within(1e-12));
    }

    @Test
    void configNamesTheBadField() {
        assertThatThrownBy(() -> PeftBenchmarkConfig.defaults().withTechniques(List.of("dropout")))
                .hasMessageContaining("techniques must be among");
        assertThatThrownBy(() -> PeftBenchmarkConfig.defaults().withSizes(6000, 500, 192))
                .hasMessageContaining("testExamples must be between 2 and 46");
    }
}
