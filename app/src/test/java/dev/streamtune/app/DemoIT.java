package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as a user runs it, in its own JVM from the packaged application, on a stratified
 * sample of the corpus: it must reach its summary, and the JSON summary must describe a run in
 * which versions were trained, one was promoted, and the champion classifies held-out mail.
 */
class DemoIT {

    @Test
    void demoRunsToItsSummaryAndWritesTheJson(@TempDir Path dir) throws Exception {
        Path summary = dir.resolve("summary.json");
        Path log = dir.resolve("demo.log");
        String classpath = Path.of("target", "streamtune-app.jar") + File.pathSeparator + Path.of("target", "lib") + File.separator + "*";
        Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx3g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-cp", classpath,
                "dev.streamtune.app.Streamtune", "demo", "--limit", "400", "--min-validation", "30",
                "--publish-every", "100", "--dashboard-port", "0", "--data-dir", dir.resolve("data").toString(),
                "--exit-when-done", "--summary-json", summary.toString(), "--timeout", "8m", "--progress-every", "2s")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = demo.waitFor(10, TimeUnit.MINUTES);
        if (!finished) {
            demo.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(finished).as("demo finished; output:%n%s", tail(output)).isTrue();
        assertThat(demo.exitValue()).as("exit code; output:%n%s", tail(output)).isZero();
        assertThat(output).contains("produced 400/400", "dashboard:", "champion test macro-F1");

        JsonNode json = new ObjectMapper().readTree(summary.toFile());
        assertThat(json.path("examples_in").asLong()).isEqualTo(400);
        assertThat(json.path("rejected").asLong()).isBetween(0L, 10L);
        assertThat(json.path("versions").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(json.path("promotions").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(json.path("examples_per_s").asDouble()).isPositive();
        JsonNode champion = json.path("champion");
        assertThat(champion.path("version").asLong()).isPositive();
        assertThat(champion.path("technique").asText()).isEqualTo("head");
        // 400 emails give a champion trained on ~320 and tested on ~40: well above chance (0.5), far from perfect
        assertThat(champion.path("test").path("macro_f1").asDouble()).isGreaterThan(0.6);
        assertThat(champion.path("test").path("accuracy").asDouble()).isGreaterThan(0.6);
    }

    private static String tail(String s) {
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }
}
