package dev.streamtune.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import org.junit.jupiter.api.Test;

class ClasspathAssetsTest {
    @Test
    void onlyPlainRelativePathsAreServed() {
        assertThat(ClasspathAssets.isSafe("app.js")).isTrue();
        assertThat(ClasspathAssets.isSafe("chart.js/dist/chart.umd.min.js")).isTrue();
        assertThat(ClasspathAssets.isSafe("../secret")).isFalse();
        assertThat(ClasspathAssets.isSafe("a/../../b")).isFalse();
        assertThat(ClasspathAssets.isSafe("/etc/passwd")).isFalse();
        assertThat(ClasspathAssets.isSafe("a//b")).isFalse();
        assertThat(ClasspathAssets.isSafe("a\\b")).isFalse();
        assertThat(ClasspathAssets.isSafe("")).isFalse();
    }

    @Test
    void theChartJsWebJarResolvesWithoutAVersionInThePath() throws Exception {
        String resource = new ClasspathAssets().webjarResource("chart.js/dist/chart.umd.min.js");
        assertThat(resource).matches("META-INF/resources/webjars/chart\\.js/\\d+\\.\\d+\\.\\d+/dist/chart\\.umd\\.min\\.js");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            assertThat(new String(in.readNBytes(2000))).contains("Chart");
        }
        assertThat(new ClasspathAssets().webjarResource("no-such-webjar/x.js")).isNull();
    }

    @Test
    void contentTypesFollowTheExtension() {
        assertThat(ClasspathAssets.contentType("index.html")).startsWith("text/html");
        assertThat(ClasspathAssets.contentType("app.js")).startsWith("text/javascript");
        assertThat(ClasspathAssets.contentType("app.css")).startsWith("text/css");
        assertThat(ClasspathAssets.contentType("blob")).isEqualTo("application/octet-stream");
    }
}
