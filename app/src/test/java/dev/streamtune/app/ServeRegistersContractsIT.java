package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.schemas.serde.RestSchemaRegistryClient;
import dev.streamtune.testkit.Lines;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamtune serve SERVICE}, as a container runs it (the packaged application in its own JVM), registers the
 * contract subjects of the topics it reads or writes before it serves: a consumer-only dashboard the updates and
 * metrics subjects, ingest the examples and tasks subjects; nothing else.
 */
class ServeRegistersContractsIT {

    @Test
    void eachServiceRegistersItsSubjectsAtStart(@TempDir Path data) throws Exception {
        try (StreamtunePlatform platform = StreamtunePlatform.start(new PlatformConfig(0, 0, Optional.empty(), 1))) {
            RestSchemaRegistryClient registry = new RestSchemaRegistryClient(platform.registryUrl());
            assertThat(subjects(platform)).isEmpty();

            serveUntilRegistered(platform, data, "dashboard", "--port", "0");
            assertThat(subjects(platform)).containsExactlyInAnyOrder("models.updates-value", "metrics-value");

            serveUntilRegistered(platform, data, "ingest");
            assertThat(subjects(platform)).containsExactlyInAnyOrder("models.updates-value", "metrics-value",
                    "examples.raw-value", "examples.train-value", "examples.validation-value", "examples.test-value",
                    "tasks-value");
            assertThat(registry.getLatest("examples.raw-value").schema())
                    .isEqualTo(dev.streamtune.avro.LabelledExample.getClassSchema());
        }
    }

    private static List<String> subjects(StreamtunePlatform platform) throws Exception {
        String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(platform.registryUrl() + "/subjects")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        List<String> out = new ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Runs {@code serve SERVICE} until it says it registered its subjects, then stops it (SIGTERM). */
    private static void serveUntilRegistered(StreamtunePlatform platform, Path data, String service, String... extra)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(UpProcess.java(), "-Xmx512m", "-cp", UpProcess.classpath(),
                "dev.streamtune.app.Streamtune", "serve", service, "-b", platform.bootstrapServers(),
                "-r", platform.registryUrl(), "--metrics-port", "0", "--data-dir", data.resolve(service).toString()));
        command.addAll(List.of(extra));
        Process serve = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            Lines.of(serve, "serve-" + service).awaitLine(
                    line -> line.startsWith(service + ": contract subjects registered:"), Duration.ofSeconds(90),
                    "serve " + service + " saying it registered its subjects");
        } finally {
            serve.destroy();
            if (!serve.waitFor(60, TimeUnit.SECONDS)) {
                serve.destroyForcibly();
            }
        }
    }
}
