package dev.streamtune.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.testkit.Lines;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Server-sent event streams: a cap on clients, and a client that never reads is dropped, not waited for. */
class EventStreamsTest {

    private static final Duration WRITE_TIMEOUT = Duration.ofMillis(400);

    private EventStreams streams;
    private BoundedHttpServer server;

    @BeforeEach
    void start() {
        streams = new EventStreams(3, 4, stream -> stream.send("retry: 1000\n\n"));
        server = BoundedHttpServer.builder(HttpServerConfig.localhost("sse", 0).withThreads(2)
                        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(30), WRITE_TIMEOUT))
                .route("/health", request -> HttpResponse.text(200, "UP"))
                .events("/events", streams)
                .build().start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Socket subscribe() throws IOException {
        Socket socket = RawHttp.connect(server.port());
        RawHttp.send(socket, "GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
        return socket;
    }

    /** The lines of the stream, read in the background. */
    private static Lines lines(Socket socket) throws IOException {
        return Lines.of(socket.getInputStream(), "sse");
    }

    /** The next line starting with {@code prefix}, skipping the others; fails after 5 s. */
    private static String await(Lines lines, String prefix) {
        return lines.next(l -> l.startsWith(prefix), Duration.ofSeconds(5), "a line starting with '" + prefix + "'");
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        Awaitility.await(what).atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }

    @Test
    void aClientThatNeverReadsIsDroppedAndTheOthersKeepReceiving() throws Exception {
        Socket reading = subscribe();
        Lines received = lines(reading);
        assertThat(await(received, "HTTP/1.1 200")).isNotNull();
        assertThat(await(received, "retry: 1000")).isNotNull();

        Socket stalled = new Socket();
        stalled.setReceiveBufferSize(4_096);
        stalled.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
        RawHttp.send(stalled, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
        awaitTrue(() -> streams.clients() == 2, "two clients");

        // events far larger than any socket buffer: the stalled client's writes cannot finish
        String big = "data: " + "x".repeat(1 << 20) + "\n\n";
        for (int i = 0; i < 8; i++) {
            streams.broadcast(big);
            streams.broadcast("data: small " + i + "\n\n");
            Thread.sleep(50);
        }
        awaitTrue(() -> streams.dropped() == 1 && streams.clients() == 1, "the stalled client dropped");
        assertThat(await(received, "data: small 7")).as("the reading client got every event").isNotNull();

        streams.broadcast("data: after\n\n");
        assertThat(await(received, "data: after")).isNotNull();
        assertThat(RawHttp.get(server.port(), "/health", Duration.ofSeconds(1)).status()).isEqualTo(200);
        reading.close();
        stalled.close();
    }

    @Test
    void pastTheCapAStreamGets503AndAClosedClientFreesItsSlotAtTheNextEvent() throws Exception {
        Socket first = subscribe();
        Socket second = subscribe();
        Socket third = subscribe();
        awaitTrue(() -> streams.clients() == 3, "three clients");
        RawHttp.Reply refused = RawHttp.get(server.port(), "/events", Duration.ofSeconds(2));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.body()).contains("Too many event streams").contains("3");

        first.close();
        // a vanished client is noticed when a write to it fails: the heartbeat's job
        Awaitility.await("a heartbeat noticing the closed client").atMost(Duration.ofSeconds(5))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).until(() -> {
                    if (streams.clients() <= 2) {
                        return true;
                    }
                    streams.broadcast(": heartbeat\n\n");
                    return false;
                });
        assertThat(streams.clients()).isEqualTo(2);
        assertThat(streams.dropped()).as("a client that left is not a dropped one").isZero();
        Socket fourth = subscribe();
        assertThat(await(lines(fourth), "retry: 1000")).isNotNull();
        second.close();
        third.close();
        fourth.close();
    }

    @Test
    void closingTheServerEndsEveryStream() throws Exception {
        Socket client = subscribe();
        Lines received = lines(client);
        assertThat(await(received, "retry: 1000")).isNotNull();
        server.close();
        received.awaitEnd(Duration.ofSeconds(5), "the stream ending with the server");
        assertThat(streams.clients()).isZero();
        client.close();
    }
}
