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

    @Test
    void aShortRunStillPublishesSeveralVersions() {
        // 500 emails give about 400 training examples: a version every 100, not one at the end
        assertThat(parse("--limit", "500").publishEveryFor(500)).isEqualTo(100);
        assertThat(parse().publishEveryFor(6_046)).isEqualTo(500);
        assertThat(parse("--publish-every", "50").publishEveryFor(500)).isEqualTo(50);
    }
}
