package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench quality} as a user runs it, in its own JVM from the packaged application, on a 300-email
 * stratified sample: the pipeline runs to its champion, the anchors are fit on the same split, and the JSON has
 * the documented shape. Skipped where /usr/bin/python3 has no scikit-learn (python3-sklearn).
 */
class QualityBenchmarkIT {

    @Test
    void spamSampleRunsToTheTableAndTheJson(@TempDir Path dir) throws Exception {
        assumeTrue(Anchors.unavailable().isEmpty(), () -> "skipped: " + Anchors.unavailable().orElse(""));
        Path json = dir.resolve("quality.json");
        Path log = dir.resolve("quality.log");
        String classpath = Path.of("target", "streamtune-app.jar") + File.pathSeparator + Path.of("target", "lib") + File.separator + "*";
        Process bench = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx3g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-cp", classpath,
                "dev.streamtune.app.Streamtune", "bench", "quality", "--corpus", "spam", "--limit", "300",
                "--min-validation", "30", "--publish-every", "100", "--timeout", "8m", "--progress-every", "2s",
                "--data-dir", dir.resolve("data").toString(), "--json", json.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = bench.waitFor(10, TimeUnit.MINUTES);
        if (!finished) {
            bench.destroyForcibly();
        }
        String output = Files.readString(log);
        String tail = output.length() > 6000 ? output.substring(output.length() - 6000) : output;
        assertThat(finished).as("bench finished; output:%n%s", tail).isTrue();
        assertThat(bench.exitValue()).as("exit code; output:%n%s", tail).isZero();
        assertThat(output).contains("spam: produced 300/300", "anchors: minilm_lr", "champ-best");

        JsonNode spam = new ObjectMapper().readTree(json.toFile()).path("corpora").path("spam");
        assertThat(spam.path("examples").asLong()).isEqualTo(300);
        assertThat(spam.path("wall_s").asDouble()).isPositive();
        // ~240 training emails, ~30 test emails: every figure well above chance (0.5)
        assertThat(spam.path("anchors").path("minilm_lr").asDouble()).isBetween(0.6, 1.0);
        assertThat(spam.path("anchors").path("tfidf_lr").asDouble()).isBetween(0.6, 1.0);
        JsonNode champion = spam.path("champion");
        assertThat(champion.path("version").asLong()).isPositive();
        assertThat(champion.path("technique").asText()).isNotBlank();
        assertThat(champion.path("test_macro_f1").asDouble()).isBetween(0.6, 1.0);
        assertThat(spam.path("first_champion_s").asDouble()).isBetween(0.0, spam.path("wall_s").asDouble());
        // the data directory of a finished corpus is removed
        try (var left = Files.list(dir.resolve("data"))) {
            assertThat(left).isEmpty();
        }
    }
}
