package dev.streamtune.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One client's server-sent event stream. Sending never blocks: events queue (at most
 * {@code maxQueuedEvents}) and are written one at a time. A client that lets the queue fill, or
 * does not take one write within the server's write timeout, is dropped: its connection is closed
 * and its slot freed, so a client that never reads cannot hold the server.
 */
public final class EventStream {

    /** Where the bytes go; the server implements it over its connection. */
    interface Sink {
        /** Writes asynchronously, then calls exactly one of {@code done} or {@code failed}. */
        void write(ByteBuffer bytes, Runnable done, Consumer<Throwable> failed);

        /** Ends the response: normally when {@code cause} is null, else by closing the connection. */
        void end(Throwable cause);

        /** Runs {@code task} after {@code delay}; the returned action cancels it. */
        Runnable schedule(Runnable task, Duration delay);
    }

    private final EventStreams hub;
    private final Sink sink;
    private final int maxQueuedEvents;
    private final Duration writeTimeout;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private boolean writing;
    private boolean closed;
    private long writeNumber;

    EventStream(EventStreams hub, Sink sink, int maxQueuedEvents, Duration writeTimeout) {
        this.hub = hub;
        this.sink = sink;
        this.maxQueuedEvents = maxQueuedEvents;
        this.writeTimeout = writeTimeout;
    }

    /**
     * Queues {@code text} (already in event-stream form, e.g. {@code "data: x\n\n"}). Returns false
     * when the stream is closed, or is dropped now because its queue is full.
     */
    public boolean send(String text) {
        ByteBuffer next;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (queue.size() >= maxQueuedEvents) {
                next = null;
            } else {
                queue.add(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                if (writing) {
                    return true;
                }
                next = queue.poll();
                writing = true;
            }
        }
        if (next == null) {
            drop(new TimeoutException("the client fell " + maxQueuedEvents + " events behind"));
            return false;
        }
        write(next);
        return true;
    }

    public synchronized boolean isOpen() {
        return !closed;
    }

    /** Ends the stream normally (the server is stopping). */
    public void close() {
        if (markClosed()) {
            hub.closed(this, false);
            sink.end(null);
        }
    }

    private void write(ByteBuffer bytes) {
        long number;
        synchronized (this) {
            number = ++writeNumber;
        }
        Runnable cancel = sink.schedule(() -> timedOut(number), writeTimeout);
        try {
            sink.write(bytes, () -> {
                cancel.run();
                written();
            }, failure -> {
                cancel.run();
                failed(failure);
            });
        } catch (RuntimeException e) {
            cancel.run();
            failed(e);
        }
    }

    private void written() {
        ByteBuffer next;
        synchronized (this) {
            next = closed ? null : queue.poll();
            if (next == null) {
                writing = false;
                return;
            }
        }
        write(next);
    }

    private void timedOut(long number) {
        synchronized (this) {
            if (closed || !writing || writeNumber != number) {
                return;
            }
        }
        drop(new TimeoutException("the client took no event within " + writeTimeout));
    }

    /** The client went away (a write failed): not a drop, just the end. */
    private void failed(Throwable failure) {
        if (markClosed()) {
            hub.closed(this, false);
            sink.end(failure);
        }
    }

    private void drop(TimeoutException reason) {
        if (markClosed()) {
            hub.closed(this, true);
            sink.end(reason);
        }
    }

    private synchronized boolean markClosed() {
        if (closed) {
            return false;
        }
        closed = true;
        queue.clear();
        return true;
    }
}
