package dev.streamtune.dashboard;

import dev.streamtune.testkit.HeadlessChromium;

import static dev.streamtune.dashboard.Events.evaluation;
import static dev.streamtune.dashboard.Events.matrix;
import static dev.streamtune.dashboard.Events.prequential;
import static dev.streamtune.dashboard.Events.training;
import static dev.streamtune.dashboard.Events.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streamtune.avro.Split;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Opens the dashboard in a real headless Chromium while a simulated run streams events through a
 * real broker, and checks what a person would see: the charts fill with points, and keep filling
 * after the page has loaded (the server-sent events arrive), the champion table and the confusion
 * matrix fill. Saves {@code target/dashboard.png}.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver} (paths overridable with
 * {@code -Dstreamtune.chromium=} and {@code -Dstreamtune.chromedriver=}); skips without them.
 * Selenium Manager is never asked for anything: both paths are given explicitly.
 */
class DashboardBrowserIT {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final Path SCREENSHOT = Path.of("target", "dashboard.png");

    @Test
    void chartsAndTablesFillLiveWhileARunStreams(@TempDir Path profile) throws Exception {
        assumeTrue(HeadlessChromium.available(), HeadlessChromium.MISSING);

        try (StreamtunePlatform platform = StreamtunePlatform.start(PlatformConfig.ephemeral());
             Pipeline pipeline = new Pipeline(platform)) {
            pipeline.deadLetter("TEXT_TOO_LONG");
            pipeline.deadLetter("TEXT_TOO_LONG");
            pipeline.deadLetter("TEXT_TOO_LONG");
            pipeline.deadLetter("UNKNOWN_LABEL");
            pipeline.deadLetter("BAD_MAGIC_BYTE");
            pipeline.trainerBehind(40, 25);
            // a second task, for the task selector
            pipeline.send(evaluation("support", 1, Split.VALIDATION, 0.61, 0.70, 0.9, matrix(30, 10, 12, 28), T0));
            pipeline.send(evaluation("support", 2, Split.VALIDATION, 0.66, 0.72, 0.8, matrix(32, 8, 10, 30), T0));
            pipeline.send(update("support", UpdateAction.PROMOTE, 2, null, "first version", 0.66, 0.64, T0));
            DashboardConfig config = DashboardConfig.of(0, platform.bootstrapServers(), platform.registryUrl())
                    .withLagPollInterval(Duration.ofMillis(500));
            try (DashboardServer dashboard = DashboardServer.create(config).start();
                 SimulatedRun run = new SimulatedRun(pipeline)) {
                run.start();
                ChromeDriver browser = startBrowser(profile);
                try {
                    browser.get(dashboard.url());
                    WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(200));
                    wait.until(b -> points(b, "chart-f1", 0) >= 3 && points(b, "chart-prequential", 0) >= 5
                            && points(b, "chart-throughput", 0) >= 3 && points(b, "chart-loss", 0) >= 3
                            && points(b, "chart-loss", 1) >= 3
                            && b.findElements(By.cssSelector("#history-table tbody .badge")).size() >= 2);

                    long prequentialAtLoad = points(browser, "chart-prequential", 0);
                    wait.until(b -> points(b, "chart-prequential", 0) > prequentialAtLoad + 2);

                    run.finish();
                    wait.until(b -> b.findElement(By.id("footer-status")).getText().contains("records read")
                            && b.findElements(By.cssSelector("#confusion td.cell")).size() == 4
                            && b.findElements(By.cssSelector("#lag-table tbody tr td.num")).size() >= 2
                            && b.findElement(By.id("kpi-champion")).getText().equals("v" + run.champion())
                            && points(b, "chart-f1", 0) == run.versions());
                    Thread.sleep(400); // let the last push render before the picture

                    assertThat(browser.findElement(By.id("connection")).getText()).isEqualTo("live");
                    assertThat(browser.findElements(By.cssSelector("#history-table tbody tr")))
                            .hasSize(run.promotions());
                    assertThat(browser.findElement(By.cssSelector("#history-table tbody tr td:nth-child(3)")).getText())
                            .isEqualTo("v" + run.champion() + " ← v" + run.previousChampion());
                    assertThat(browser.findElement(By.id("dlq-table")).getText()).contains("TEXT_TOO_LONG").contains("3");
                    assertThat(browser.findElement(By.id("lag-table")).getText()).contains(Pipeline.TRAINER_GROUP)
                            .contains("15");
                    assertThat(browser.findElement(By.id("task-select")).getAttribute("value")).isEqualTo("spam");

                    Files.createDirectories(SCREENSHOT.getParent());
                    Files.write(SCREENSHOT, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

                    new Select(browser.findElement(By.id("task-select"))).selectByValue("support");
                    wait.until(b -> points(b, "chart-f1", 0) == 2 && points(b, "chart-prequential", 0) == 0
                            && b.findElement(By.id("kpi-champion")).getText().equals("v2"));
                    assertThat(browser.findElements(By.cssSelector("#history-table tbody tr"))).hasSize(1);
                } finally {
                    browser.quit();
                }
            }
        }
        assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);
    }

    private static ChromeDriver startBrowser(Path profile) {
        return HeadlessChromium.start(profile);
    }

    private static long points(org.openqa.selenium.WebDriver browser, String canvasId, int index) {
        return HeadlessChromium.chartPoints(browser, canvasId, index);
    }

    /**
     * A run as the trainer and evaluator would publish it, sped up: prequential and speed points
     * every step, a new evaluated version every third, promoted when it beats the champion.
     */
    private static final class SimulatedRun implements AutoCloseable {
        private static final int VERSIONS = 8;
        private final Pipeline pipeline;
        private final Thread thread = new Thread(this::run, "simulated-run");
        private final AtomicBoolean finishing = new AtomicBoolean();
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private volatile long champion;
        private volatile long previousChampion;
        private volatile int promotions;
        private volatile int versions;

        SimulatedRun(Pipeline pipeline) {
            this.pipeline = pipeline;
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            double bestF1 = 0;
            try {
                for (int step = 0; step < 400 && !stopped.get(); step++) {
                    Instant at = T0.plusSeconds(15L * step);
                    double accuracy = 0.70 + 0.25 * (1 - Math.exp(-step / 12.0)) + 0.01 * Math.sin(step);
                    pipeline.send(prequential("spam", accuracy, Math.min(0.99, accuracy + 0.03 * Math.cos(step)),
                            64L * (step + 1), at));
                    double speed = 420 + 60 * Math.sin(step / 3.0) + 3 * step;
                    boolean newVersion = step % 3 == 2 && versions < VERSIONS;
                    if (!newVersion) {
                        pipeline.send(training("spam", null, 0.62 * Math.exp(-step / 12.0) + 0.08, speed, at));
                    }
                    if (newVersion) {
                        long version = ++versions;
                        double f1 = 0.74 + 0.2 * (1 - Math.exp(-version / 3.0)) - (version == 5 ? 0.04 : 0);
                        long tp = Math.round(40 * f1);
                        long tn = Math.round(60 * (f1 + 0.03));
                        pipeline.send(training("spam", version, 0.62 * Math.exp(-version / 4.0) + 0.08, speed, at));
                        pipeline.send(evaluation("spam", version, Split.VALIDATION, f1, f1 + 0.02,
                                0.55 * Math.exp(-version / 5.0) + 0.12, matrix(tn, 60 - tn, 40 - tp, tp), at));
                        if (f1 > bestF1 + 0.005) {
                            pipeline.send(evaluation("spam", version, Split.TEST, f1 - 0.01, f1 + 0.01, 0.3,
                                    matrix(tn - 1, 61 - tn, 41 - tp, tp), at));
                            pipeline.send(update("spam", UpdateAction.PROMOTE, version, promotions == 0 ? null : champion,
                                    promotions == 0 ? "first version" : String.format("F1 %.3f > %.3f", f1, bestF1),
                                    f1, f1 - 0.01, at));
                            previousChampion = champion;
                            champion = version;
                            promotions++;
                            bestF1 = f1;
                        }
                    }
                    if (finishing.get() && versions >= VERSIONS) {
                        break;
                    }
                    Thread.sleep(120);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                failure.set(e);
            }
        }

        /** Lets the run publish its remaining versions, then stop. */
        void finish() throws Exception {
            finishing.set(true);
            thread.join(WAIT.toMillis());
            if (failure.get() != null) {
                throw failure.get();
            }
        }

        long champion() {
            return champion;
        }

        long previousChampion() {
            return previousChampion;
        }

        int promotions() {
            return promotions;
        }

        int versions() {
            return versions;
        }

        @Override
        public void close() throws InterruptedException {
            stopped.set(true);
            thread.join(5_000);
        }
    }
}
