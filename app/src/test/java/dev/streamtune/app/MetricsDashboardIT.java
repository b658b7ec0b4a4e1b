package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamtune.testkit.Lines;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every query of the provisioned Grafana dashboard names a series that a running pipeline exposes: the packaged
 * demo (the pipeline {@code up} runs: embedded KRaft broker, every service, the dashboard's {@code /metrics}
 * serving every service's meters) trains and promotes on a sample of the corpus; one undecodable record
 * reaches the dead-letter topic; then the dashboard's {@code /metrics} is scraped over HTTP and each metric name
 * of each PromQL expression must be among its series.
 */
class MetricsDashboardIT {
    private static final Pattern KAFKA = Pattern.compile("kafka: +(\\S+)");
    private static final Pattern DASHBOARD = Pattern.compile("Dashboard stays up at (\\S+)");
    /** Made by Prometheus itself for each target, never exported by a service. */
    private static final Set<String> PROMETHEUS_SERIES = Set.of("up");

    @Test
    void everyGrafanaQueryHasASeriesOnTheRunningPipelinesMetrics(@TempDir Path dir) throws Exception {
        Map<String, Set<String>> queries = GrafanaQueries.metricsByQuery(GrafanaQueries.DASHBOARD);
        String classpath = Path.of("target", "streamtune-app.jar") + File.pathSeparator + Path.of("target", "lib")
                + File.separator + "*";
        Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx3g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-cp", classpath,
                "dev.streamtune.app.Streamtune", "demo", "--limit", "300", "--min-validation", "30", "--publish-every",
                "100", "--dashboard-port", "0", "--data-dir", dir.resolve("data").toString(), "--timeout", "8m",
                "--progress-every", "5s").redirectErrorStream(true).start();
        Lines output = Lines.of(demo, "demo");
        try {
            String bootstrap = output.awaitGroup(KAFKA, Duration.ofMinutes(9), "the demo's Kafka address");
            String dashboard = output.awaitGroup(DASHBOARD, Duration.ofMinutes(9), "the demo's summary");

            // bytes without the Confluent magic byte: ingest dead-letters them as BAD_MAGIC_BYTE
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("examples.raw", "junk-1", "not avro".getBytes(StandardCharsets.UTF_8))).get();
            }

            HttpClient http = HttpClient.newHttpClient();
            URI metrics = URI.create(dashboard.endsWith("/") ? dashboard + "metrics" : dashboard + "/metrics");
            AtomicReference<String> scrape = new AtomicReference<>("");
            await("a series for every Grafana query on " + metrics).atMost(Duration.ofSeconds(90))
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics)
                                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(response.statusCode()).isEqualTo(200);
                        scrape.set(response.body());
                        Set<String> series = GrafanaQueries.seriesNames(scrape.get());
                        Map<String, Set<String>> missing = new TreeMap<>();
                        queries.forEach((where, names) -> {
                            Set<String> absent = new TreeSet<>(names);
                            absent.removeAll(series);
                            absent.removeAll(PROMETHEUS_SERIES);
                            if (!absent.isEmpty()) {
                                missing.put(where, absent);
                            }
                        });
                        assertThat(missing).as("Grafana queries without a series on %s; streamtune/kafka series there: %s",
                                metrics, series.stream().filter(n -> n.startsWith("streamtune") || n.startsWith("kafka"))
                                        .toList()).isEmpty();
                    });
            assertThat(GrafanaQueries.seriesNames(scrape.get())).as("ingest's counters appear once, as streamtune_ingest_*")
                    .noneMatch(n -> n.startsWith("kafka_streamtune"));
            // the figures of this run, for the report
            scrape.get().lines().filter(l -> l.matches("(streamtune_freshness_seconds_(count|sum|max)"
                    + "|streamtune_evaluator_gate_decisions_total|streamtune_ingest_examples_routed_total"
                    + "|streamtune_trainer_versions_published_total)\\{.*")).forEach(l -> System.out.println("metric: " + l));
            // the domain meters count what happened, not only exist
            assertThat(scrape.get()).containsPattern("streamtune_ingest_dead_letters_total\\{[^}]*reason=\"BAD_MAGIC_BYTE\"[^}]*} [1-9]");
            assertThat(scrape.get()).containsPattern("streamtune_evaluator_gate_decisions_total\\{[^}]*outcome=\"(promote|refresh)\"[^}]*} [1-9]");
            assertThat(scrape.get()).containsPattern("streamtune_freshness_seconds_count\\{[^}]*task=\"[^\"]+\"[^}]*} [1-9]");
            assertThat(scrape.get()).containsPattern("streamtune_trainer_versions_published_total\\{[^}]*} [1-9]");
        } finally {
            demo.destroy();
            if (!demo.waitFor(60, TimeUnit.SECONDS)) {
                demo.destroyForcibly();
            }
        }
    }
}
