package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code streamtune up} as a user runs it: the packaged application in its own JVM, its addresses read from what it
 * prints, and its output drained for the rest of its life (a full pipe would block its logging threads and stall
 * the pipeline). Closing sends SIGTERM, as Ctrl-C does, and waits for the shutdown hook. Shared by the ITs that
 * drive {@code up} from outside clients.
 */
final class UpProcess implements AutoCloseable {
    private static final Pattern KAFKA = Pattern.compile("kafka bootstrap servers: (\\S+)");
    private static final Pattern REGISTRY = Pattern.compile("schema registry: +(\\S+)");
    private static final Pattern DASHBOARD = Pattern.compile("dashboard: +(\\S+)");

    private final Process process;
    private final List<String> output = new ArrayList<>();
    final String bootstrap;
    final String registryUrl;
    final String dashboardUrl;

    private UpProcess(Process process, String bootstrap, String registryUrl, String dashboardUrl) {
        this.process = process;
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
        List<String> seen = new ArrayList<>();
        String bootstrap = null;
        String registryUrl = null;
        String dashboardUrl = null;
        BufferedReader lines = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String line;
        while ((bootstrap == null || registryUrl == null || dashboardUrl == null) && System.nanoTime() < deadline
                && (line = lines.readLine()) != null) {
            seen.add(line);
            Matcher k = KAFKA.matcher(line);
            Matcher r = REGISTRY.matcher(line);
            Matcher d = DASHBOARD.matcher(line);
            if (k.find()) {
                bootstrap = k.group(1);
            }
            if (r.find()) {
                registryUrl = r.group(1);
            }
            if (d.find()) {
                dashboardUrl = d.group(1);
            }
        }
        if (bootstrap == null || registryUrl == null) {
            up.destroyForcibly();
        }
        assertThat(bootstrap).as("addresses printed by up; output: %s", seen).isNotNull();
        assertThat(registryUrl).as("registry address printed by up; output: %s", seen).isNotNull();
        UpProcess started = new UpProcess(up, bootstrap, registryUrl, dashboardUrl);
        started.output.addAll(seen);
        Thread drain = new Thread(() -> {
            try {
                String more;
                while ((more = lines.readLine()) != null) {
                    synchronized (started.output) {
                        started.output.add(more);
                    }
                }
            } catch (IOException closed) {
                // up exited
            }
        }, "up-output");
        drain.setDaemon(true);
        drain.start();
        return started;
    }

    /** Every line up printed so far. */
    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /** Its last {@code n} lines, for a failure message. */
    String tail(int n) {
        List<String> all = output();
        return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: the shutdown hook closes the pipeline, the registry, then the broker
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("up stops on SIGTERM").isTrue();
    }
}
