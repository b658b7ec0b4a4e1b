package dev.streamtune.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way Streamtune serves HTTP: Jetty's core server (no servlets) with every limit of an
 * {@link HttpServerConfig}. Requests are read without holding a thread (Jetty's selectors), bodies
 * too, so connections that send nothing or trickle bytes cost a connection slot, never a handler
 * thread; handlers run on their own bounded pool, so a blocking handler never stalls reading.
 *
 * <p>{@link #builder} mounts handlers by path prefix (the longest wins) and event streams by path;
 * {@link Builder#build} binds the port (a port in use fails there), {@link #start} serves.
 */
public final class BoundedHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BoundedHttpServer.class);
    /** Jetty's own threads: one acceptor, one selector and room for the I/O tasks they hand off. */
    private static final int IO_THREADS = 6;

    private final HttpServerConfig config;
    private final Server server;
    private final ServerConnector connector;
    private final Scheduler scheduler;
    private final ThreadPoolExecutor handlers;
    private final RequestDeadlines deadlines;
    private final List<EventStreams> eventStreams;
    private boolean started;
    private boolean closed;

    private BoundedHttpServer(Builder builder) {
        this.config = builder.config;
        QueuedThreadPool io = new QueuedThreadPool(IO_THREADS + 2, 2, 60_000);
        io.setName(config.name() + "-io");
        io.setDaemon(true);
        io.setReservedThreads(0);
        this.server = new Server(io);
        this.scheduler = new ScheduledExecutorScheduler(config.name() + "-timer", true);
        server.addBean(scheduler);
        // closing stops at once, as the JDK server's stop(0) did: no waiting for keep-alive connections to go
        server.setStopTimeout(0);

        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(config.maxHeaderBytes());
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setIdleTimeout(config.idleTimeout().toMillis());
        // handlers decode and check paths themselves and never map them onto files, so an encoded
        // '/' in a registry subject is data, not an ambiguity to refuse
        http.setUriCompliance(UriCompliance.DEFAULT.with("streamtune",
                UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR, UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
                UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT, UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT));
        http.setHttpCompliance(HttpCompliance.RFC9110);
        this.connector = new ServerConnector(server, io, scheduler, null, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(config.bindAddress());
        connector.setPort(config.port());
        connector.setIdleTimeout(config.idleTimeout().toMillis());
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(config.maxConnections(), connector));
        this.deadlines = new RequestDeadlines(config.name(), config.requestTimeout(), scheduler, builder.errors);
        connector.addBean(deadlines);

        AtomicInteger threadNumber = new AtomicInteger();
        this.handlers = new ThreadPoolExecutor(config.threads(), config.threads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.maxConnections()), runnable -> {
                    Thread thread = new Thread(runnable, config.name() + "-http-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
        handlers.allowCoreThreadTimeOut(true);
        this.eventStreams = List.copyOf(builder.events.values());
        server.setHandler(new Dispatch(builder));
        server.setErrorHandler(new RenderedErrors(builder.errors));
        try {
            connector.open();
        } catch (IOException e) {
            handlers.shutdownNow();
            throw new UncheckedIOException(config.name() + ": cannot listen on port " + config.port() + " of "
                    + config.bindAddress() + ": " + e.getMessage(), e);
        }
    }

    public static Builder builder(HttpServerConfig config) {
        return new Builder(config);
    }

    public synchronized BoundedHttpServer start() {
        if (closed) {
            throw new IllegalStateException(config.name() + " was closed; build a new server");
        }
        if (!started) {
            try {
                server.start();
            } catch (Exception e) {
                throw new IllegalStateException(config.name() + ": cannot start the HTTP server: " + e, e);
            }
            deadlines.start();
            started = true;
        }
        return this;
    }

    /** The bound port: the chosen one when the config asked for 0. */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://host:port} for a client on this machine. */
    public String url() {
        return "http://" + config.clientHost() + ":" + port();
    }

    /** Connections open now (at most {@link HttpServerConfig#maxConnections()}). */
    public int openConnections() {
        return connector.getConnectedEndPoints().size();
    }

    public HttpServerConfig config() {
        return config;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        deadlines.stop();
        eventStreams.forEach(EventStreams::closeAll);
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("{}: stopping the HTTP server: {}", config.name(), e.toString());
        }
        handlers.shutdownNow();
        try {
            handlers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Mounts handlers and event streams; {@link #build} binds. */
    public static final class Builder {
        private final HttpServerConfig config;
        private final Map<String, HttpHandler> routes = new LinkedHashMap<>();
        private final Map<String, EventStreams> events = new LinkedHashMap<>();
        private ErrorRenderer errors = ErrorRenderer.PLAIN;

        private Builder(HttpServerConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** {@code handler} answers every path that starts with {@code prefix} (the longest prefix wins). */
        public Builder route(String prefix, HttpHandler handler) {
            if (!prefix.startsWith("/")) {
                throw new IllegalArgumentException("a route prefix starts with '/', was '" + prefix + "'");
            }
            routes.put(prefix, Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /** A {@code GET} of exactly {@code path} opens a server-sent event stream of {@code streams}. */
        public Builder events(String path, EventStreams streams) {
            events.put(path, Objects.requireNonNull(streams, "streams"));
            return this;
        }

        /** How the server words the errors it makes itself; plain text unless set. */
        public Builder errors(ErrorRenderer renderer) {
            this.errors = Objects.requireNonNull(renderer, "renderer");
            return this;
        }

        /** Binds the port (unstarted): a port in use fails here. */
        public BoundedHttpServer build() {
            return new BoundedHttpServer(this);
        }
    }

    /** Routes a request: an event stream, or a handler once the whole body is in. */
    private final class Dispatch extends Handler.Abstract {
        private final List<Map.Entry<String, HttpHandler>> routes;
        private final Map<String, EventStreams> events;
        private final ErrorRenderer errors;

        Dispatch(Builder builder) {
            List<Map.Entry<String, HttpHandler>> sorted = new ArrayList<>(builder.routes.entrySet());
            sorted.sort(Comparator.comparingInt((Map.Entry<String, HttpHandler> e) -> e.getKey().length()).reversed());
            this.routes = List.copyOf(sorted);
            this.events = Map.copyOf(builder.events);
            this.errors = builder.errors;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String rawPath = Objects.requireNonNullElse(request.getHttpURI().getPath(), "/");
            String path = HttpRequest.percentDecode(rawPath);
            EventStreams streams = events.get(path);
            if (streams != null && request.getMethod().equals("GET")) {
                openStream(streams, request, response, callback);
                return true;
            }
            HttpHandler handler = null;
            for (Map.Entry<String, HttpHandler> route : routes) {
                if (path.startsWith(route.getKey())) {
                    handler = route.getValue();
                    break;
                }
            }
            if (handler == null) {
                send(request, response, callback, errors.render(404, "No route for " + path), false);
                return true;
            }
            long declared = request.getLength();
            if (declared > config.maxBodyBytes()) {
                send(request, response, callback, errors.render(413, "Request body of " + declared
                        + " bytes exceeds the limit of " + config.maxBodyBytes() + " bytes (maxBodyBytes)"), true);
                return true;
            }
            readBodyThenHandle(handler, rawPath, request, response, callback);
            return true;
        }

        private void readBodyThenHandle(HttpHandler handler, String rawPath, Request request, Response response,
                Callback callback) {
            CompletableFuture<byte[]> body = Content.Source.asByteArrayAsync(request, config.maxBodyBytes());
            long elapsed = System.nanoTime() - request.getHeadersNanoTime();
            long left = Math.max(0, config.requestTimeout().toNanos() - elapsed);
            Scheduler.Task timeout = scheduler.schedule(() -> body.completeExceptionally(new TimeoutException()),
                    left, TimeUnit.NANOSECONDS);
            body.whenComplete((bytes, failure) -> {
                timeout.cancel();
                if (failure != null) {
                    refuseBody(request, response, callback, failure);
                    return;
                }
                HttpRequest whole = new HttpRequest(request.getMethod(), rawPath,
                        Objects.requireNonNullElse(request.getHttpURI().getQuery(), ""), headers(request), bytes);
                try {
                    handlers.execute(() -> runHandler(handler, whole, request, response, callback));
                } catch (RejectedExecutionException e) {
                    send(request, response, callback, errors.render(503, config.name()
                            + " is busy: every handler thread is taken and the queue is full"), true);
                }
            });
        }

        private void refuseBody(Request request, Response response, Callback callback, Throwable failure) {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof TimeoutException) {
                send(request, response, callback, errors.render(408, "Request body not complete within "
                        + config.requestTimeout() + " (requestTimeout)"), true);
            } else if (cause instanceof IllegalArgumentException || cause instanceof IllegalStateException) {
                // Content.Source.asByteArrayAsync's refusal of a body past maxSize (chunked, no length)
                send(request, response, callback, errors.render(413, "Request body exceeds the limit of "
                        + config.maxBodyBytes() + " bytes (maxBodyBytes)"), true);
            } else {
                LOG.debug("{}: reading a request body failed: {}", config.name(), cause.toString());
                callback.failed(cause);
            }
        }

        private void runHandler(HttpHandler handler, HttpRequest whole, Request request, Response response,
                Callback callback) {
            HttpResponse answer;
            try {
                answer = handler.handle(whole);
            } catch (Exception e) {
                LOG.error("{}: {} {} failed", config.name(), whole.method(), whole.rawPath(), e);
                answer = errors.render(500, "Internal error: " + e);
            }
            send(request, response, callback, answer, false);
        }

        private void openStream(EventStreams streams, Request request, Response response, Callback callback) {
            if (!streams.tryReserve()) {
                send(request, response, callback, errors.render(503, "Too many event streams: the limit is "
                        + streams.maxClients()), false);
                return;
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
            response.getHeaders().put("X-Accel-Buffering", "no");
            // silence between events is the heartbeat's business; a write that does not finish is the write timeout's
            request.addIdleTimeoutListener(timeout -> false);
            EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
            streams.open(new EventStream.Sink() {
                @Override
                public void write(ByteBuffer bytes, Runnable done, Consumer<Throwable> failed) {
                    response.write(false, bytes, Callback.from(done, failed));
                }

                @Override
                public void end(Throwable cause) {
                    if (cause == null) {
                        response.write(true, null, callback);
                    } else {
                        endPoint.close(cause);
                        callback.failed(cause);
                    }
                }

                @Override
                public Runnable schedule(Runnable task, Duration delay) {
                    Scheduler.Task scheduled = scheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
                    return scheduled::cancel;
                }
            }, config.writeTimeout());
        }

        /** Writes a whole response; a client that does not take it within the write timeout is cut off. */
        private void send(Request request, Response response, Callback callback, HttpResponse answer, boolean close) {
            response.setStatus(answer.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
            answer.headers().forEach((name, value) -> response.getHeaders().put(name, value));
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.body().length);
            if (close) {
                response.getHeaders().put(new HttpField(HttpHeader.CONNECTION, "close"));
            }
            EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
            Scheduler.Task timeout = scheduler.schedule(() -> endPoint.close(new TimeoutException(
                    "response not taken within " + config.writeTimeout() + " (writeTimeout)")),
                    config.writeTimeout().toNanos(), TimeUnit.NANOSECONDS);
            response.write(true, ByteBuffer.wrap(answer.body()), Callback.from(() -> {
                timeout.cancel();
                callback.succeeded();
            }, failure -> {
                timeout.cancel();
                callback.failed(failure);
            }));
        }

        private static Map<String, List<String>> headers(Request request) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (HttpField field : request.getHeaders()) {
                out.computeIfAbsent(field.getLowerCaseName(), k -> new ArrayList<>()).add(field.getValue());
            }
            out.replaceAll((k, v) -> List.copyOf(v));
            return out;
        }
    }
}
