package dev.streamtune.dashboard;

import static dev.streamtune.dashboard.DashboardMetricsTest.sample;
import static dev.streamtune.dashboard.Events.evaluation;
import static dev.streamtune.dashboard.Events.matrix;
import static dev.streamtune.dashboard.Events.prequential;
import static dev.streamtune.dashboard.Events.training;
import static dev.streamtune.dashboard.Events.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.testkit.Lines;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard against a real KRaft broker and our registry: real Avro records in, the JSON
 * snapshot, Prometheus text, health and a live server-sent event stream out.
 */
class DashboardServerIT {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static StreamtunePlatform platform;
    private static Pipeline pipeline;
    private static DashboardServer dashboard;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startEverything() throws Exception {
        platform = StreamtunePlatform.start(PlatformConfig.ephemeral());
        pipeline = new Pipeline(platform);

        pipeline.send(evaluation("spam", 1, Split.VALIDATION, 0.81, 0.84, 0.42, matrix(60, 8, 10, 22), T0));
        pipeline.send(training("spam", 1L, 0.50, 640, T0.plusSeconds(1)));
        pipeline.send(update("spam", UpdateAction.PROMOTE, 1, null, "first version", 0.81, 0.80, T0.plusSeconds(2)));
        pipeline.send(evaluation("spam", 2, Split.VALIDATION, 0.89, 0.91, 0.28, matrix(64, 4, 5, 27), T0.plusSeconds(3)));
        pipeline.send(evaluation("spam", 2, Split.TEST, 0.87, 0.90, 0.30, matrix(66, 5, 6, 23), T0.plusSeconds(4)));
        pipeline.send(training("spam", 2L, 0.31, 710, T0.plusSeconds(4)));
        pipeline.send(prequential("spam", 0.86, 0.9, 400, T0.plusSeconds(4)));
        pipeline.send(update("spam", UpdateAction.PROMOTE, 2, 1L, "macro-F1 +0.08 over v1", 0.89, 0.87, T0.plusSeconds(5)));
        pipeline.sendRaw(Pipeline.TOPICS.metrics(), new byte[] {0, 0, 0, 0, 99, 1, 2}); // unknown schema id
        pipeline.deadLetter("TEXT_TOO_LONG");
        pipeline.deadLetter("TEXT_TOO_LONG");
        pipeline.deadLetter("UNKNOWN_LABEL");
        abortedEvaluation();
        pipeline.trainerBehind(10, 4);

        DashboardConfig config = DashboardConfig.of(0, platform.bootstrapServers(), platform.registryUrl())
                .withWatchedGroups(List.of(Pipeline.TRAINER_GROUP))
                .withLagPollInterval(Duration.ofMillis(300))
                .withHeartbeatInterval(Duration.ofMillis(500))
                .withMaxEventClients(3);
        dashboard = DashboardServer.create(config).start();
    }

    /** A version-9 evaluation in an aborted transaction: read_committed must never show it. */
    private static void abortedEvaluation() throws Exception {
        try (KafkaProducer<String, byte[]> tx = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "dashboard-it-aborted"),
                new StringSerializer(), new ByteArraySerializer())) {
            tx.initTransactions();
            tx.beginTransaction();
            MetricsEvent aborted = evaluation("spam", 9, Split.VALIDATION, 0.99, 0.99, 0.01, matrix(1, 0, 0, 1), T0);
            tx.send(new ProducerRecord<>(Pipeline.TOPICS.metrics(), "spam",
                    pipeline.serializer().serialize(Pipeline.TOPICS.metrics(), aborted))).get(30, TimeUnit.SECONDS);
            tx.abortTransaction();
        }
    }

    @AfterAll
    static void stopEverything() {
        if (dashboard != null) {
            dashboard.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(dashboard.url()).resolve(path)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode awaitState(Predicate<JsonNode> condition, String what) throws Exception {
        return await(what).atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                .until(() -> JSON.readTree(get("/api/state").body()), condition);
    }

    @Test
    void theSnapshotHoldsEveryFigureFoldedFromTheTopics() throws Exception {
        JsonNode state = awaitState(s -> s.at("/tasks/spam/championVersion").asLong() == 2
                && s.at("/deadLetters/UNKNOWN_LABEL").asLong() == 1
                && s.at("/lag/groups/0/lag").asLong() == 6
                && s.at("/consumer/undecodable").asLong() == 1, "champion v2, dead letters, lag and the bad record");

        JsonNode spam = state.at("/tasks/spam");
        assertThat(spam.get("versions")).hasSize(2);
        assertThat(spam.at("/versions/0/validation/macro_f1").asDouble()).isEqualTo(0.81);
        assertThat(spam.at("/versions/1/validation/log_loss").asDouble()).isEqualTo(0.28);
        assertThat(spam.at("/versions/1/trainingLoss").asDouble()).isEqualTo(0.31);
        assertThat(spam.at("/versions/1/test/macro_f1").asDouble()).isEqualTo(0.87);
        assertThat(spam.at("/prequential/0/accuracy").asDouble()).isEqualTo(0.86);
        assertThat(spam.at("/throughput/1/examplesPerS").asDouble()).isEqualTo(710.0);
        assertThat(spam.at("/history")).hasSize(2);
        assertThat(spam.at("/history/1/reason").asText()).isEqualTo("macro-F1 +0.08 over v1");
        assertThat(spam.at("/confusion/split").asText()).isEqualTo("TEST");
        assertThat(spam.at("/confusion/matrix/0/0").asLong()).isEqualTo(66);
        assertThat(state.at("/deadLetters/TEXT_TOO_LONG").asLong()).isEqualTo(2);
        assertThat(state.at("/lag/groups/0/group").asText()).isEqualTo(Pipeline.TRAINER_GROUP);
        assertThat(state.at("/lag/groups/0/byTopic/examples.train").asLong()).isEqualTo(6);
        assertThat(state.at("/consumer/running").asBoolean()).isTrue();
        // the aborted version-9 evaluation was never folded
        Iterator<JsonNode> versions = spam.get("versions").elements();
        while (versions.hasNext()) {
            assertThat(versions.next().get("version").asLong()).isNotEqualTo(9);
        }
    }

    @Test
    void prometheusAndHealthReportTheSameFigures() throws Exception {
        awaitState(s -> s.at("/tasks/spam/championVersion").asLong() == 2 && s.at("/lag/groups/0/lag").asLong() == 6
                && s.at("/deadLetters/UNKNOWN_LABEL").asLong() == 1, "the full picture");

        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        String text = metrics.body();
        assertThat(sample(text, "streamtune_champion_version", "task=\"spam\"")).isEqualTo(2.0);
        assertThat(sample(text, "streamtune_validation_macro_f1", "task=\"spam\"")).isEqualTo(0.89);
        assertThat(sample(text, "streamtune_trained_examples_per_second", "task=\"spam\"")).isEqualTo(710.0);
        assertThat(sample(text, "streamtune_dlq_records_total", "reason=\"TEXT_TOO_LONG\"")).isEqualTo(2.0);
        assertThat(sample(text, "streamtune_consumer_lag", "group=\"streamtune-trainer\"")).isEqualTo(6.0);
        assertThat(sample(text, "streamtune_dashboard_undecodable_records_total", "")).isEqualTo(1.0);

        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(health.body());
        assertThat(body.get("status").asText()).isEqualTo("UP");
        assertThat(body.get("consumer").asText()).isEqualTo("running");
    }

    @Test
    void theEventStreamPushesTheStateAtOnceThenEachChangeAndHeartbeatsWhenIdle() throws Exception {
        HttpResponse<InputStream> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(dashboard.url()).resolve("/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/event-stream"));
        Lines lines = Lines.of(response.body(), "sse");
        try {
            JsonNode first = JSON.readTree(nextData(lines, l -> true));
            assertThat(first.has("tasks")).isTrue();

            // another task, so that the other tests still see spam as the evaluator left it
            pipeline.send(update("live", UpdateAction.PROMOTE, 3, 2L, "pushed live", 0.93, 0.92, T0.plusSeconds(9)));
            String pushed = nextData(lines, d -> d.contains("pushed live"));
            assertThat(JSON.readTree(pushed).at("/tasks/live/championVersion").asLong()).isEqualTo(3);

            lines.next(l -> l.startsWith(": heartbeat"), WAIT, "a heartbeat while idle");
            assertThat(JSON.readTree(get("/health").body()).get("eventClients").asInt()).isGreaterThanOrEqualTo(1);
        } finally {
            response.body().close();
        }
        // the server notices the vanished client at its next write and frees the stream's slot
        awaitNoEventClients();
    }

    private static void awaitNoEventClients() throws Exception {
        await("no event clients after the clients went away").atMost(WAIT)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .until(() -> JSON.readTree(get("/health").body()).get("eventClients").asInt(), clients -> clients == 0);
    }

    @Test
    void fiftyConnectionsThatSendNothingDoNotStopHealthAnsweringWithinOneSecond() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                Socket socket = new Socket("127.0.0.1", dashboard.port());
                if (i % 2 == 1) {
                    socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                idle.add(socket);
            }
            Thread.sleep(100);
            long start = System.nanoTime();
            HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(dashboard.url()).resolve("/health"))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(health.statusCode()).isEqualTo(200);
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    @Test
    void eventStreamsAreCappedAndAClientThatNeverReadsDoesNotHoldUpTheOthers() throws Exception {
        awaitNoEventClients();
        // one client that connects and never reads a byte, with the smallest receive buffer
        Socket stalled = new Socket();
        stalled.setReceiveBufferSize(1_024);
        stalled.connect(new java.net.InetSocketAddress("127.0.0.1", dashboard.port()));
        stalled.getOutputStream().write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        HttpResponse<InputStream> reading = HTTP.send(
                HttpRequest.newBuilder(URI.create(dashboard.url()).resolve("/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        Lines lines = Lines.of(reading.body(), "sse-2");
        HttpResponse<Stream<String>> third = HTTP.send(
                HttpRequest.newBuilder(URI.create(dashboard.url()).resolve("/events")).build(),
                HttpResponse.BodyHandlers.ofLines());
        try {
            assertThat(third.statusCode()).isEqualTo(200);
            HttpResponse<String> fourth = get("/events");
            assertThat(fourth.statusCode()).as("past maxEventClients (3)").isEqualTo(503);
            assertThat(fourth.body()).contains("Too many event streams").contains("3");

            pipeline.send(update("capped", UpdateAction.PROMOTE, 4, null, "despite a stalled client", 0.9, 0.9,
                    T0.plusSeconds(20)));
            assertThat(nextData(lines, d -> d.contains("despite a stalled client"))).isNotNull();
            assertThat(get("/metrics").body()).contains("streamtune_dashboard_event_clients_dropped_total");
        } finally {
            third.body().close();
            reading.body().close();
            stalled.close();
        }
    }

    private static String nextData(Lines lines, Predicate<String> wanted) {
        return lines.next(l -> l.startsWith("data: ") && wanted.test(l), WAIT, "a matching data line")
                .substring("data: ".length());
    }

    @Test
    void thePageAndItsAssetsComeFromTheClassPath() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("chart-f1").contains("/webjars/chart.js/dist/chart.umd.min.js")
                .doesNotContain("cdn").doesNotContain("https://");

        assertThat(get("/static/app.js").body()).contains("EventSource");
        assertThat(get("/static/app.css").headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/css"));
        HttpResponse<String> chartJs = get("/webjars/chart.js/dist/chart.umd.min.js");
        assertThat(chartJs.statusCode()).isEqualTo(200);
        assertThat(chartJs.body().length()).isGreaterThan(100_000);
    }

    @Test
    void unknownPathsBadPathsAndOtherMethodsAreRefusedClearly() throws Exception {
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        assertThat(get("/static/missing.js").statusCode()).isEqualTo(404);
        assertThat(get("/webjars/not-a-webjar/x.js").statusCode()).isEqualTo(404);
        HttpResponse<String> traversal = get("/static/..%2F..%2Fetc%2Fpasswd");
        assertThat(traversal.statusCode()).isEqualTo(400);
        assertThat(traversal.body()).contains("bad asset path");

        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(dashboard.url()).resolve("/api/state"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
        assertThat(post.body()).contains("GET only");
    }

    @Test
    void thePortWasChosenByTheSystemAndATakenPortIsAClearError() {
        assertThat(dashboard.port()).isPositive();
        assertThat(dashboard.url()).isEqualTo("http://localhost:" + dashboard.port() + "/");

        DashboardConfig samePort = DashboardConfig.of(dashboard.port(), platform.bootstrapServers(), platform.registryUrl());
        assertThatThrownBy(() -> DashboardServer.create(samePort))
                .hasMessageContaining("cannot listen on port " + dashboard.port());
    }
}
