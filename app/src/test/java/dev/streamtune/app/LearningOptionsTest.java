package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LearningOptionsTest {

    private static LearningOptions parse(String... args) {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs(args);
        return demo.learning;
    }

    @Test
    void aShortRunWaitsForTheValidationItsSampleCanGive() {
        LearningOptions learning = parse("--limit", "500");
        // 500 emails give about 50 validation examples (10%); waiting for 200 would never end
        assertThat(learning.minValidationFor(500)).isEqualTo(40);
        assertThat(learning.gateFor(500).minValidationExamples()).isEqualTo(40);
    }

    @Test
    void theWholeCorpusKeepsTheConfiguredCount() {
        assertThat(parse().minValidationFor(6_046)).isEqualTo(200);
        assertThat(parse("--min-validation", "30").minValidationFor(500)).isEqualTo(30);
    }
}
