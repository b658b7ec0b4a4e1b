package dev.streamtune.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {
    @Test
    void reportsRateAndEtaAndAlwaysTheLastUpdate() {
        List<String> lines = new ArrayList<>();
        ProgressReporter progress = new ProgressReporter("steps", 100, 60_000, lines::add);
        progress.update(10);
        progress.update(100);
        assertThat(lines).singleElement().satisfies(line -> assertThat(line).startsWith("steps: 100/100 (100%) at ")
                .contains("/s, ETA 0s"));
        assertThat(progress.line(25, System.nanoTime())).contains("25/100 (25%)").contains("ETA");
    }
}
