package dev.streamtune.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The limits of the one HTTP server, driven by plain sockets that misbehave as attackers' would. */
class BoundedHttpServerTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(500);
    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(1_500);
    private static final Duration WRITE_TIMEOUT = Duration.ofMillis(500);

    private final List<Socket> sockets = new ArrayList<>();
    private BoundedHttpServer server;

    @BeforeEach
    void start() {
        server = serve(config());
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        server.close();
    }

    private static HttpServerConfig config() {
        return HttpServerConfig.localhost("test", 0).withThreads(2).withMaxConnections(200)
                .withTimeouts(REQUEST_TIMEOUT, IDLE_TIMEOUT, WRITE_TIMEOUT)
                .withMaxHeaderBytes(4_096).withMaxBodyBytes(1_024);
    }

    private static BoundedHttpServer serve(HttpServerConfig config) {
        return BoundedHttpServer.builder(config)
                .route("/health", request -> HttpResponse.text(200, "UP"))
                .route("/echo", request -> HttpResponse.of(200, "application/octet-stream", request.body()))
                .route("/boom", request -> {
                    throw new IllegalStateException("broken on purpose");
                })
                .route("/big", request -> HttpResponse.of(200, "application/octet-stream", new byte[16 << 20]))
                .errors((status, message) -> HttpResponse.json(status,
                        ("{\"error_code\":" + status + ",\"message\":\"" + message.replace("\"", "'") + "\"}")
                                .getBytes(StandardCharsets.UTF_8)))
                .build().start();
    }

    private Socket open() throws IOException {
        Socket socket = RawHttp.connect(server.port());
        sockets.add(socket);
        return socket;
    }

    @Test
    void fiftySilentAndFiftyHalfSentConnectionsDoNotStopHealthAnsweringWithinOneSecond() throws Exception {
        for (int i = 0; i < 50; i++) {
            open();
        }
        for (int i = 0; i < 50; i++) {
            RawHttp.send(open(), "GET /health HTTP/1.1\r\nHost: x\r\n");   // never finishes its headers
        }
        Thread.sleep(100);
        for (int i = 0; i < 3; i++) {
            RawHttp.Reply health = RawHttp.get(server.port(), "/health", Duration.ofSeconds(1));
            assertThat(health.timedOut()).as("/health within 1 s, try " + i).isFalse();
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("UP");
        }
    }

    @Test
    void headersTrickledSlowerThanTheRequestTimeoutGet408AndTheConnectionIsClosed() throws Exception {
        Socket slow = open();
        RawHttp.send(slow, "GET /health HTTP/1.1\r\n");
        long start = System.nanoTime();
        // one byte every 100 ms keeps Jetty's idle timeout from ever firing
        Thread trickle = new Thread(() -> {
            try {
                for (int i = 0; i < 40; i++) {
                    RawHttp.send(slow, "X");
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException closed) {
                // the server closed the connection, as it should
            }
        });
        trickle.setDaemon(true);
        trickle.start();
        RawHttp.Reply reply = RawHttp.read(slow, Duration.ofSeconds(3));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(reply.status()).isEqualTo(408);
        assertThat(reply.body()).contains("\"error_code\":408").contains("requestTimeout");
        assertThat(took).isGreaterThanOrEqualTo(REQUEST_TIMEOUT).isLessThan(Duration.ofMillis(1_500));
        trickle.interrupt();
    }

    @Test
    void aBodyThatStopsArrivingGets408() throws Exception {
        Socket slow = open();
        RawHttp.send(slow, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
        RawHttp.Reply reply = RawHttp.read(slow, Duration.ofSeconds(3));
        assertThat(reply.status()).isEqualTo(408);
        assertThat(reply.text().toLowerCase()).contains("connection: close");
        assertThat(reply.took()).isLessThan(Duration.ofMillis(1_500));
    }

    @Test
    void aBodyWithinTheLimitIsHandedOverWhole() throws Exception {
        Socket client = open();
        RawHttp.send(client, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
        RawHttp.Reply reply = RawHttp.read(client, Duration.ofSeconds(3));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("hello");
    }

    @Test
    void oversizedBodiesGet413WhetherDeclaredOrChunked() throws Exception {
        Socket declared = open();
        RawHttp.send(declared, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
        RawHttp.Reply reply = RawHttp.read(declared, Duration.ofSeconds(3));
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.body()).contains("maxBodyBytes").contains("1024");

        Socket chunked = open();
        String chunk = "x".repeat(800);
        RawHttp.send(chunked, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(800) + "\r\n" + chunk + "\r\n" + Integer.toHexString(800) + "\r\n" + chunk
                + "\r\n0\r\n\r\n");
        RawHttp.Reply chunkedReply = RawHttp.read(chunked, Duration.ofSeconds(3));
        assertThat(chunkedReply.status()).isEqualTo(413);
    }

    @Test
    void oversizedHeadersGet431InTheServersErrorFormat() throws Exception {
        Socket client = open();
        RawHttp.send(client, "GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: " + "p".repeat(6_000) + "\r\n\r\n");
        RawHttp.Reply reply = RawHttp.read(client, Duration.ofSeconds(3));
        assertThat(reply.status()).isEqualTo(431);
        assertThat(reply.body()).contains("\"error_code\":431");
    }

    @Test
    void aSilentConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        Socket silent = open();
        long start = System.nanoTime();
        silent.setSoTimeout(5_000);
        InputStream in = silent.getInputStream();
        int read;
        try {
            read = in.read();
        } catch (IOException reset) {
            read = -1;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(read).as("end of stream: the server closed it").isEqualTo(-1);
        assertThat(took).isGreaterThanOrEqualTo(IDLE_TIMEOUT.minusMillis(100)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void aClientThatDoesNotReadItsResponseIsCutOffAfterTheWriteTimeout() throws Exception {
        Socket stalled = open();
        stalled.setReceiveBufferSize(4_096);
        RawHttp.send(stalled, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
        awaitOpenConnections(1, Duration.ofSeconds(2));
        long start = System.nanoTime();
        // the server closes its side; the kernel may still trickle what it had buffered to the client
        awaitOpenConnections(0, Duration.ofSeconds(3));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isLessThan(WRITE_TIMEOUT.plusMillis(1_000));
        assertThat(RawHttp.get(server.port(), "/health", Duration.ofSeconds(1)).status()).isEqualTo(200);
    }

    private void awaitOpenConnections(int expected, Duration within) throws InterruptedException {
        await(expected + " open connections").atMost(within).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(server::openConnections, open -> open == expected);
    }

    @Test
    void theConnectionCapStopsAcceptingUntilAConnectionCloses() throws Exception {
        server.close();
        server = serve(config().withMaxConnections(4));
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(open());
        }
        Thread.sleep(100);
        Socket waiting = open();
        RawHttp.send(waiting, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        RawHttp.Reply early = RawHttp.read(waiting, Duration.ofMillis(300));
        assertThat(early.timedOut()).as("not served while 4 connections are open").isTrue();
        held.get(0).close();
        RawHttp.Reply later = RawHttp.read(waiting, Duration.ofSeconds(2));
        assertThat(later.status()).isEqualTo(200);
    }

    @Test
    void unknownPathsAndFailingHandlersGetTheServersErrorFormat() throws Exception {
        RawHttp.Reply missing = RawHttp.get(server.port(), "/nope", Duration.ofSeconds(2));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).contains("\"error_code\":404");
        RawHttp.Reply boom = RawHttp.get(server.port(), "/boom", Duration.ofSeconds(2));
        assertThat(boom.status()).isEqualTo(500);
        assertThat(boom.body()).contains("broken on purpose");
    }

    @Test
    void listensOnlyOnTheBindAddress() throws Exception {
        // two addresses of the loopback range stand in for "this machine" and "another interface"
        try (BoundedHttpServer narrow = serve(config().withBindAddress("127.0.0.2"));
             BoundedHttpServer open = serve(config().withBindAddress(HttpServerConfig.ALL_INTERFACES))) {
            assertThat(reaches("127.0.0.2", narrow.port())).isTrue();
            assertThat(reaches("127.0.0.1", narrow.port())).as("not bound to 127.0.0.1").isFalse();
            assertThat(reaches("127.0.0.1", open.port())).isTrue();
            assertThat(reaches("127.0.0.2", open.port())).isTrue();
        }
    }

    private static boolean reaches(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new java.net.InetSocketAddress(host, port), 1_000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    @Test
    void bindsTheLoopbackByDefaultAndATakenPortIsAClearError() {
        assertThat(server.config().bindAddress()).isEqualTo(HttpServerConfig.LOCALHOST);
        assertThat(server.url()).isEqualTo("http://localhost:" + server.port());
        assertThatThrownBy(() -> serve(config().withPort(server.port())))
                .hasMessageContaining("cannot listen on port " + server.port());
    }
}
