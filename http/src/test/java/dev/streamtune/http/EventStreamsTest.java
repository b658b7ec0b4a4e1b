package dev.streamtune.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

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

    /** Reads lines of the stream in the background. */
    private static BlockingQueue<String> lines(Socket socket) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException closed) {
                // the test or the server closed it
            }
            lines.add("<closed>");
        });
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static String await(BlockingQueue<String> lines, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(50, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
        }
        return null;
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 5 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aClientThatNeverReadsIsDroppedAndTheOthersKeepReceiving() throws Exception {
        Socket reading = subscribe();
        BlockingQueue<String> received = lines(reading);
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
        for (int i = 0; i < 20 && streams.clients() > 2; i++) {
            streams.broadcast(": heartbeat\n\n");
            Thread.sleep(50);
        }
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
        BlockingQueue<String> received = lines(client);
        assertThat(await(received, "retry: 1000")).isNotNull();
        server.close();
        assertThat(await(received, "<closed>")).isNotNull();
        assertThat(streams.clients()).isZero();
        client.close();
    }
}
