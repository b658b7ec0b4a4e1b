package dev.streamtune.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deadline for a request's line and headers, which Jetty does not have (its idle timeout
 * restarts at every byte, so a client sending one byte a second would never be cut off). Every
 * connection is looked at a few times per {@code requestTimeout}; one whose parser has been in
 * the middle of the same request's headers for longer gets 408 and is closed. Bodies have their
 * own deadline in {@link BoundedHttpServer}. A connection that sends nothing at all is the idle
 * timeout's to close; it holds no thread meanwhile.
 */
final class RequestDeadlines implements Connection.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(RequestDeadlines.class);

    private final String name;
    private final long timeoutNanos;
    private final long sweepMillis;
    private final Scheduler scheduler;
    private final ErrorRenderer errors;
    private final Map<HttpConnection, Progress> connections = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    RequestDeadlines(String name, Duration timeout, Scheduler scheduler, ErrorRenderer errors) {
        this.name = name;
        this.timeoutNanos = timeout.toNanos();
        this.sweepMillis = Math.max(25, timeout.toMillis() / 4);
        this.scheduler = scheduler;
        this.errors = errors;
    }

    void start() {
        scheduler.schedule(this::sweep, sweepMillis, TimeUnit.MILLISECONDS);
    }

    void stop() {
        running = false;
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            connections.put(http, new Progress());
        }
    }

    @Override
    public void onClosed(Connection connection) {
        connections.remove(connection);
    }

    private void sweep() {
        if (!running) {
            return;
        }
        long now = System.nanoTime();
        try {
            connections.forEach((connection, progress) -> {
                if (progress.overdue(connection, now, timeoutNanos)) {
                    connections.remove(connection);
                    refuse(connection.getEndPoint());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("{}: request deadline sweep failed: {}", name, e.toString());
        } finally {
            if (running) {
                scheduler.schedule(this::sweep, sweepMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** 408 in place of a response Jetty never started, then the connection is closed. */
    private void refuse(EndPoint endPoint) {
        LOG.debug("{}: closing {}: request headers not complete within the request timeout", name,
                endPoint.getRemoteSocketAddress());
        HttpResponse error = errors.render(408, "Request headers not complete within "
                + Duration.ofNanos(timeoutNanos) + " (requestTimeout)");
        String head = "HTTP/1.1 408 Request Timeout\r\nContent-Type: " + error.contentType()
                + "\r\nContent-Length: " + error.body().length + "\r\nConnection: close\r\n\r\n";
        try {
            endPoint.write(Callback.from(endPoint::close, failure -> endPoint.close(failure)),
                    ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)), ByteBuffer.wrap(error.body()));
        } catch (RuntimeException e) {
            endPoint.close(e);
        }
    }

    /** When the connection was first seen part-way through the headers of its current request. */
    private static final class Progress {
        private long requests = -1;
        private long partialSince;

        synchronized boolean overdue(HttpConnection connection, long now, long timeoutNanos) {
            HttpParser parser = connection.getParser();
            boolean partial = parser.inHeaderState() && !parser.isStart();
            if (!partial) {
                requests = -1;
                return false;
            }
            long seen = connection.getMessagesIn();
            if (requests != seen) {
                requests = seen;
                partialSince = now;
                return false;
            }
            return now - partialSince > timeoutNanos;
        }
    }
}
