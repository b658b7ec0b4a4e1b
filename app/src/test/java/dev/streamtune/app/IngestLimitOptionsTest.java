package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.evaluator.GateConfig;
import dev.streamtune.ingest.IngestLimits;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class IngestLimitOptionsTest {

    private static IngestLimitOptions up(String... args) {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs(args);
        return up.limits;
    }

    private static IngestLimitOptions serve(String... args) {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(args);
        return serve.limits;
    }

    @Test
    void theDefaultsAreIngestsAndTheGateFollowsTheLabelLimit() {
        // the environment could set them; this test runs without STREAMTUNE_MAX_* set
        assertThat(up().limits()).isEqualTo(IngestLimits.defaults());
        assertThat(up().gate(GateConfig.defaults()).maxLabels()).isEqualTo(1_000);
    }

    @Test
    void upAndServeTakeTheFourLimits() {
        IngestLimits limits = up("--max-label-chars", "64", "--max-labels-per-task", "2500",
                "--max-metadata-entries", "8", "--max-metadata-bytes", "4096").limits();
        assertThat(limits.maxLabelChars()).isEqualTo(64);
        assertThat(limits.maxLabelsPerTask()).isEqualTo(2_500);
        assertThat(limits.maxMetadataEntries()).isEqualTo(8);
        assertThat(limits.maxMetadataBytes()).isEqualTo(4_096);
        assertThat(limits.maxTextChars()).as("the rest stay at their defaults").isEqualTo(20_000);
        IngestLimitOptions served = serve("evaluator", "--max-labels-per-task", "2500", "--max-label-chars", "64");
        GateConfig gate = served.gate(GateConfig.defaults().withMinValidationExamples(50));
        assertThat(gate.maxLabels()).isEqualTo(2_500);
        assertThat(gate.minValidationExamples()).isEqualTo(50);
    }

    @Test
    void aBadValueNamesTheFlagsAndTheLimit() {
        assertThatThrownBy(() -> up("--max-labels-per-task", "1").limits())
                .hasMessageContaining("--max-labels-per-task").hasMessageContaining("maxLabelsPerTask must be in [2, 100000], got 1");
        assertThatThrownBy(() -> serve("ingest", "--max-labels-per-task", "5000").limits())
                .hasMessageContaining("maxLabelsPerTask (5000) times maxLabelChars (128) times 4 bytes must be at most 921600");
    }
}
