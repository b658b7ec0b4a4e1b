package dev.streamtune.http;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The server-sent event streams of one path: at most {@code maxClients} at once (more get 503),
 * each with a bounded queue. Streams hold no thread; {@link #broadcast} hands an event to each
 * without waiting for any. Mount it with {@link BoundedHttpServer.Builder#events}.
 */
public final class EventStreams {

    private final int maxClients;
    private final int maxQueuedEvents;
    private final Consumer<EventStream> onOpen;
    private final Set<EventStream> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger reserved = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();

    /**
     * @param maxClients      streams open at once at most
     * @param maxQueuedEvents events waiting for one client at most; past it the client is dropped
     * @param onOpen          called with each new stream, to send what a client needs first
     */
    public EventStreams(int maxClients, int maxQueuedEvents, Consumer<EventStream> onOpen) {
        if (maxClients < 1 || maxClients > HttpServerConfig.MAX_CONNECTIONS) {
            throw new IllegalArgumentException("maxClients must be between 1 and " + HttpServerConfig.MAX_CONNECTIONS
                    + ", was " + maxClients);
        }
        if (maxQueuedEvents < 1 || maxQueuedEvents > 10_000) {
            throw new IllegalArgumentException("maxQueuedEvents must be between 1 and 10000, was " + maxQueuedEvents);
        }
        this.maxClients = maxClients;
        this.maxQueuedEvents = maxQueuedEvents;
        this.onOpen = Objects.requireNonNull(onOpen, "onOpen");
    }

    public int maxClients() {
        return maxClients;
    }

    /** Streams open now. */
    public int clients() {
        return reserved.get();
    }

    /** Clients dropped since start because they did not keep up (full queue or write timeout). */
    public long dropped() {
        return dropped.get();
    }

    /** Queues {@code text} on every open stream. */
    public void broadcast(String text) {
        for (EventStream stream : List.copyOf(open)) {
            stream.send(text);
        }
    }

    /** Ends every stream (the server is stopping). */
    public void closeAll() {
        for (EventStream stream : List.copyOf(open)) {
            stream.close();
        }
    }

    /** A slot for a new stream, or false when {@code maxClients} are open. */
    boolean tryReserve() {
        while (true) {
            int now = reserved.get();
            if (now >= maxClients) {
                return false;
            }
            if (reserved.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Opens a stream in a reserved slot. */
    EventStream open(EventStream.Sink sink, Duration writeTimeout) {
        EventStream stream = new EventStream(this, sink, maxQueuedEvents, writeTimeout);
        open.add(stream);
        onOpen.accept(stream);
        return stream;
    }

    void closed(EventStream stream, boolean wasDropped) {
        if (open.remove(stream)) {
            reserved.decrementAndGet();
            if (wasDropped) {
                dropped.incrementAndGet();
            }
        }
    }
}
