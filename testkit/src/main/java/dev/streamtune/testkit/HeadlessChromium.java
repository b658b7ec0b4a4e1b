package dev.streamtune.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium under Selenium, headless, for browser tests. Paths are explicit so Selenium
 * Manager never looks for (or downloads) a driver or a browser; override them with
 * {@code -Dstreamtune.chromium} and {@code -Dstreamtune.chromedriver}.
 */
public final class HeadlessChromium {
    public static final Path CHROMIUM = Path.of(System.getProperty("streamtune.chromium", "/usr/bin/chromium"));
    public static final Path CHROMEDRIVER = Path.of(System.getProperty("streamtune.chromedriver", "/usr/bin/chromedriver"));
    public static final String MISSING = "browser test skipped: needs " + CHROMIUM + " and " + CHROMEDRIVER
            + " (Debian: apt-get install -y chromium chromium-driver)";

    private HeadlessChromium() {}

    public static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /** A fresh headless browser with its own profile directory; the caller quits it. */
    public static ChromeDriver start(Path profile) {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--user-data-dir=" + profile.toAbsolutePath(),
                "--window-size=1440,1640", "--force-device-scale-factor=1", "--hide-scrollbars");
        return new ChromeDriver(service, options);
    }

    /** How many points dataset {@code index} of the Chart.js chart on canvas {@code canvasId} holds. */
    public static long chartPoints(WebDriver browser, String canvasId, int index) {
        Object n = ((JavascriptExecutor) browser).executeScript(
                "const c = window.Chart && Chart.getChart(arguments[0]);"
                        + "return c ? c.data.datasets[arguments[1]].data.length : 0;", canvasId, index);
        return ((Number) n).longValue();
    }
}
