package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.testkit.Lines;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code streamtune up} as a user runs it: the packaged application in its own JVM, its addresses read from what it
 * prints, and its output drained for the rest of its life ({@link Lines}). Closing sends SIGTERM, as Ctrl-C
 * does, and waits for the shutdown hook. Shared by the ITs that drive {@code up} from outside clients.
 */
final class UpProcess implements AutoCloseable {
    private static final Pattern KAFKA = Pattern.compile("kafka bootstrap servers: (\\S+)");
    private static final Pattern REGISTRY = Pattern.compile("schema registry: +(\\S+)");
    private static final Pattern DASHBOARD = Pattern.compile("dashboard: +(\\S+)");

    private final Process process;
    private final Lines output;
    final String bootstrap;
    final String registryUrl;
    final String dashboardUrl;

    private UpProcess(Process process, Lines output, String bootstrap, String registryUrl, String dashboardUrl) {
        this.process = process;
        this.output = output;
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.dashboardUrl = dashboardUrl;
    }

    /** The packaged jar and its libraries (failsafe runs after package). */
    static String classpath() {
        Path jar = Path.of("target", "streamtune-app.jar");
        assertThat(jar).as("packaged application (failsafe runs after package)").exists();
        return jar + File.pathSeparator + Path.of("target", "lib") + File.separator + "*";
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts {@code up} on free ports with {@code data} as its data directory, plus {@code extraArgs}; returns once it printed its addresses. */
    static UpProcess start(Path data, String... extraArgs) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx1g", "-cp", classpath(), "dev.streamtune.app.Streamtune",
                "up", "--kafka-port", "0", "--registry-port", "0", "--dashboard-port", "0", "--data-dir", data.toString()));
        command.addAll(List.of(extraArgs));
        Process up = new ProcessBuilder(command).redirectErrorStream(true).start();
        Lines output = Lines.of(up, "up");
        try {
            String bootstrap = output.awaitGroup(KAFKA, Duration.ofSeconds(120), "the Kafka address up prints");
            String registryUrl = output.awaitGroup(REGISTRY, Duration.ofSeconds(120), "the registry address up prints");
            String dashboardUrl = output.awaitGroup(DASHBOARD, Duration.ofSeconds(120), "the dashboard address up prints");
            return new UpProcess(up, output, bootstrap, registryUrl, dashboardUrl);
        } catch (AssertionError | RuntimeException e) {
            up.destroyForcibly();
            throw e;
        }
    }

    /** Every line up printed so far. */
    List<String> output() {
        return output.lines();
    }

    /** Its last {@code n} lines, for a failure message. */
    String tail(int n) {
        return output.tail(n);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: the shutdown hook closes the pipeline, the registry, then the broker
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("up stops on SIGTERM").isTrue();
    }
}
