package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.http.HttpServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A service's /metrics and /health: two handler threads, yet 50 connections that send nothing (or
 * half a request) do not stop /health answering, which used to take two.
 */
class ServiceEndpointTest {

    @Test
    void fiftyConnectionsThatSendNothingDoNotStopHealthAnsweringWithinOneSecond() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        try (ServiceEndpoint endpoint = ServiceEndpoint.start("trainer", HttpServerConfig.LOCALHOST, 0, healthy::get)) {
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) {
                    Socket socket = new Socket("127.0.0.1", endpoint.port());
                    if (i % 2 == 1) {
                        socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    idle.add(socket);
                }
                Thread.sleep(100);
                long start = System.nanoTime();
                String health = get(endpoint.port(), "/health");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
                assertThat(health).startsWith("HTTP/1.1 200").endsWith("{\"service\":\"trainer\",\"status\":\"UP\"}");
                healthy.set(false);
                assertThat(get(endpoint.port(), "/health")).startsWith("HTTP/1.1 503").contains("DOWN");
                assertThat(get(endpoint.port(), "/metrics")).startsWith("HTTP/1.1 200").contains("service=\"trainer\"");
            } finally {
                for (Socket socket : idle) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aServicesOwnMetersAreScrapedWithPrometheusNamesAndItsServiceTag() throws Exception {
        try (dev.streamtune.schemas.metrics.ServiceMeters meters = new dev.streamtune.schemas.metrics.ServiceMeters()) {
            // registered before anyone serves them, as a service does at construction
            io.micrometer.core.instrument.Counter deadLetters = io.micrometer.core.instrument.Counter
                    .builder("streamtune.ingest.dead.letters").tag("reason", "TEXT_TOO_LONG").register(meters.registry());
            try (ServiceEndpoint endpoint = ServiceEndpoint.start("ingest", HttpServerConfig.LOCALHOST, 0, () -> true)
                    .bind(meters)) {
                deadLetters.increment(2);
                assertThat(get(endpoint.port(), "/metrics")).containsPattern(
                        "streamtune_ingest_dead_letters_total\\{(?=[^}]*reason=\"TEXT_TOO_LONG\")(?=[^}]*service=\"ingest\")[^}]*} 2\\.0");
            }
        }
    }

    @Test
    void bindsTheLoopbackUnlessOpenedAndATakenPortNamesTheFlag() throws Exception {
        try (ServiceEndpoint endpoint = ServiceEndpoint.start("ingest", HttpServerConfig.LOCALHOST, 0, () -> true)) {
            assertThat(endpoint.url()).isEqualTo("http://localhost:" + endpoint.port());
            assertThatThrownBy(() -> ServiceEndpoint.start("ingest", HttpServerConfig.LOCALHOST, endpoint.port(), () -> true))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot listen on port " + endpoint.port())
                    .hasMessageContaining("--metrics-port");
        }
    }

    private static String get(int port, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(1_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
