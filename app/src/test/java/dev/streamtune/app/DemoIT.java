package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtune.testkit.Lines;
import dev.streamtune.testkit.HeadlessChromium;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo as a user runs it, in its own JVM from the packaged application, on stratified samples
 * of the corpus: it reaches its summary and writes the JSON a script reads; and its dashboard,
 * opened in a real browser after a real run, shows the run's charts and champion.
 */
class DemoIT {
    private static final Pattern DASHBOARD = Pattern.compile("dashboard: +(\\S+)");

    private static Process startDemo(Path dir, Path log, String... extra) throws Exception {
        String classpath = Path.of("target", "streamtune-app.jar") + File.pathSeparator + Path.of("target", "lib") + File.separator + "*";
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx3g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-cp", classpath,
                "dev.streamtune.app.Streamtune", "demo", "--min-validation", "30", "--publish-every", "100",
                "--dashboard-port", "0", "--data-dir", dir.resolve("data").toString(), "--timeout", "8m",
                "--progress-every", "2s"));
        command.addAll(List.of(extra));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (log != null) {
            builder.redirectOutput(log.toFile());
        }
        return builder.start();
    }

    @Test
    void demoRunsToItsSummaryAndWritesTheJson(@TempDir Path dir) throws Exception {
        Path summary = dir.resolve("summary.json");
        Path log = dir.resolve("demo.log");
        Process demo = startDemo(dir, log, "--limit", "400", "--exit-when-done", "--summary-json", summary.toString());
        boolean finished = demo.waitFor(10, TimeUnit.MINUTES);
        if (!finished) {
            demo.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(finished).as("demo finished; output:%n%s", tail(output)).isTrue();
        assertThat(demo.exitValue()).as("exit code; output:%n%s", tail(output)).isZero();
        assertThat(output).contains("produced 400/400", "dashboard:", "champion test macro-F1");
        // a healthy run logs no ERROR (the broker's transactions-v2 OutOfOrderSequence rejections once did, on every start)
        assertThat(output.lines().filter(line -> line.contains(" ERROR ")).toList()).as("ERROR lines of a healthy demo").isEmpty();

        JsonNode json = new ObjectMapper().readTree(summary.toFile());
        assertThat(json.path("examples_in").asLong()).isEqualTo(400);
        assertThat(json.path("rejected").asLong()).isBetween(0L, 10L);
        assertThat(json.path("versions").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(json.path("promotions").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(json.path("examples_per_s").asDouble()).isPositive();
        JsonNode champion = json.path("champion");
        assertThat(champion.path("version").asLong()).isPositive();
        assertThat(champion.path("technique").asText()).isEqualTo("hybrid");
        // ~320 training emails, ~40 test emails: the hybrid model is far above chance (0.5) even on so few
        assertThat(champion.path("test").path("macro_f1").asDouble()).isGreaterThan(0.8);
        assertThat(champion.path("test").path("accuracy").asDouble()).isGreaterThan(0.6);
    }

    @Test
    void dashboardShowsTheRunInABrowser(@TempDir Path dir) throws Exception {
        assumeTrue(HeadlessChromium.available(), HeadlessChromium.MISSING);
        Process demo = startDemo(dir, null, "--limit", "300");
        try {
            Lines output = Lines.of(demo, "demo");
            String dashboard = output.awaitGroup(DASHBOARD, Duration.ofMinutes(8), "the demo's dashboard address");
            output.awaitLine(line -> line.contains("Dashboard stays up at"), Duration.ofMinutes(8), "the demo's summary");

            ChromeDriver browser = HeadlessChromium.start(dir.resolve("profile"));
            try {
                browser.get(dashboard);
                new WebDriverWait(browser, Duration.ofSeconds(60)).until(b ->
                        HeadlessChromium.chartPoints(b, "chart-f1", 0) >= 1
                                && HeadlessChromium.chartPoints(b, "chart-loss", 0) >= 1
                                && HeadlessChromium.chartPoints(b, "chart-throughput", 0) >= 1
                                && !b.findElements(By.cssSelector("#history-table tbody .badge")).isEmpty()
                                && b.findElements(By.cssSelector("#confusion td.cell")).size() == 4);
                assertThat(browser.findElement(By.id("kpi-champion")).getText()).matches("v\\d+");
                assertThat(browser.findElement(By.id("task-select")).getAttribute("value")).isEqualTo("spam");
                Path screenshot = Path.of("target", "demo-dashboard.png");
                Files.write(screenshot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
                assertThat(Files.size(screenshot)).isGreaterThan(10_000);
            } finally {
                browser.quit();
            }
        } finally {
            demo.destroy();
            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("demo stops on SIGTERM").isTrue();
        }
    }

    private static String tail(String s) {
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }
}
