package dev.streamtune.bench.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/** A smoke run: tiny step counts, no Python; CI never runs the full benchmark. */
@Tag("model")
class TrainerBenchmarkTest {
    @Test
    void tinyRunReportsFiguresAndWritesJson(@TempDir Path directory) throws Exception {
        Path json = directory.resolve("bench.json");
        TrainerBenchmark.Options options = TrainerBenchmark.parse(new String[] {"--steps", "20", "--rss-steps", "200",
                "--no-python", "--json", json.toString()});
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        TrainerBenchmark.Result result = TrainerBenchmark.run(options, new PrintStream(printed, true, StandardCharsets.UTF_8));
        TrainerBenchmark.writeJson(result, json);

        assertThat(result.linear().examplesPerS()).isPositive();
        assertThat(result.mlp().examplesPerS()).isPositive();
        assertThat(result.linear().pythonExamplesPerS()).isNaN();
        assertThat(result.rssBaselineStep()).isEqualTo(2);
        // the figure is the ratio of the two readings, and 200 steps of a small MLP do not grow resident memory by half
        assertThat(result.rssAfterBaselineKb()).as("RSS after the baseline step, KiB").isGreaterThan(10_000);
        assertThat(result.rssGrowth()).isCloseTo(result.rssAfterAllKb() / (double) result.rssAfterBaselineKb(),
                within(1e-12)).isLessThan(1.5);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("java   linear").contains("rss_growth")
                .contains("ETA");
        JsonNode written = new ObjectMapper().readTree(json.toFile());
        assertThat(written.at("/linear/examples_per_s").asDouble()).isEqualTo(result.linear().examplesPerS());
        assertThat(written.at("/mlp").has("python_examples_per_s")).isTrue();
        assertThat(written.has("rss_growth")).isTrue();
    }

    @Test
    void badOptionsAreNamed() {
        assertThatThrownBy(() -> TrainerBenchmark.parse(new String[] {"--steps", "0"})).hasMessageContaining("--steps must be >= 1");
        assertThatThrownBy(() -> TrainerBenchmark.parse(new String[] {"--fast"})).hasMessageContaining("unknown option --fast");
        assertThatThrownBy(() -> TrainerBenchmark.parse(new String[] {"--threads", "x"})).hasMessageContaining("--threads needs an integer");
    }
}
