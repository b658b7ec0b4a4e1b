package dev.streamtune.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard: a web page with live charts, a JSON snapshot, a server-sent event stream and a
 * Prometheus endpoint, over the state a background consumer folds from the metrics, model-update
 * and dead-letter topics. Built on the JDK's HTTP server; no web framework.
 *
 * <p>{@link #create} hands back an unstarted server; {@link #start} starts the consumer, the lag
 * poller and the HTTP listener; {@link #close} stops all three.
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final String STATIC_ROOT = "dev/streamtune/dashboard/static/";
    /** Bursts of records (a replay from the beginning) are coalesced into at most this many pushes a second. */
    private static final Duration MIN_PUSH_INTERVAL = Duration.ofMillis(250);
    private static final long CLIENT_RETRY_MILLIS = 2_000;

    private final DashboardConfig config;
    private final DashboardState state;
    private final DashboardMetrics metrics;
    private final DashboardConsumer consumer;
    private final LagMonitor lagMonitor;
    private final SchemaRegistryClient registry;
    private final ClasspathAssets assets = new ClasspathAssets();
    private final ObjectMapper json = new ObjectMapper();
    private final Semaphore eventSlots;
    private final AtomicInteger eventClients = new AtomicInteger();
    private final ThreadPoolExecutor pool;
    private final HttpServer http;
    private volatile boolean running;
    private volatile CachedJson cachedState = new CachedJson(-1, new byte[0]);

    private DashboardServer(DashboardConfig config, SchemaRegistryClient registry) throws IOException {
        this.config = config;
        this.registry = registry;
        this.state = new DashboardState(config.seriesLimit());
        this.metrics = new DashboardMetrics(state, eventClients::get);
        this.eventSlots = new Semaphore(config.maxEventClients());
        // each event stream holds a thread for its lifetime, so the pool has room for all of them
        // plus the threads that serve everything else; short requests queue behind those
        int threads = config.httpThreads() + config.maxEventClients();
        AtomicInteger threadNumber = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256),
                r -> {
                    Thread t = new Thread(r, "dashboard-http-" + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        this.pool.allowCoreThreadTimeOut(true);
        // bind first: a port in use fails here, before any Kafka client exists to be leaked
        this.http = HttpServer.create(new InetSocketAddress(config.port()), 64);
        this.http.setExecutor(pool);
        DashboardConsumer newConsumer = null;
        try {
            newConsumer = new DashboardConsumer(config, state, registry);
            this.lagMonitor = new LagMonitor(config, state, Clock.systemUTC());
        } catch (RuntimeException e) {
            if (newConsumer != null) {
                newConsumer.close();
            }
            http.stop(0);
            pool.shutdownNow();
            throw e;
        }
        this.consumer = newConsumer;
        routes();
    }

    /** An unstarted dashboard for {@code config}; the registry client is made from its URL. */
    public static DashboardServer create(DashboardConfig config) {
        try {
            return new DashboardServer(config, SchemaRegistryClients.create(AvroSerdeConfig.of(config.registryUrl())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + config.port() + ": " + e.getMessage(), e);
        }
    }

    private void routes() {
        route("/", this::page);                 // the page itself; any other unknown path is a 404
        route("/static/", this::staticAsset);   // our own JS and CSS
        route("/webjars/", this::webjarAsset);  // Chart.js from its WebJar, version resolved on the server
        route("/api/state", this::stateJson);   // the whole picture, once
        route("/events", this::events);         // the picture again on every change, as server-sent events
        route("/metrics", this::prometheus);    // Prometheus text exposition
        route("/health", this::health);         // 200 while the consumer runs, else 503
    }

    public DashboardServer start() {
        running = true;
        consumer.start();
        lagMonitor.start();
        http.start();
        LOG.info("dashboard at {}", url());
        return this;
    }

    /** The bound port (the real one when the config asked for 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    public String url() {
        return "http://localhost:" + port() + "/";
    }

    public DashboardState state() {
        return state;
    }

    public DashboardMetrics metrics() {
        return metrics;
    }

    public DashboardConfig config() {
        return config;
    }

    // ---- handlers -------------------------------------------------------------------------------

    private void page(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!path.equals("/") && !path.equals("/index.html")) {
            sendText(exchange, 404, "no such page: " + path);
            return;
        }
        sendAsset(exchange, STATIC_ROOT + "index.html", "index.html");
    }

    private void staticAsset(HttpExchange exchange) throws IOException {
        String relative = exchange.getRequestURI().getPath().substring("/static/".length());
        if (!ClasspathAssets.isSafe(relative)) {
            sendText(exchange, 400, "bad asset path: " + relative);
            return;
        }
        sendAsset(exchange, STATIC_ROOT + relative, relative);
    }

    private void webjarAsset(HttpExchange exchange) throws IOException {
        String relative = exchange.getRequestURI().getPath().substring("/webjars/".length());
        if (!ClasspathAssets.isSafe(relative)) {
            sendText(exchange, 400, "bad asset path: " + relative);
            return;
        }
        String resource = assets.webjarResource(relative);
        if (resource == null) {
            sendText(exchange, 404, "no such WebJar asset: " + relative);
            return;
        }
        sendAsset(exchange, resource, relative);
    }

    private void stateJson(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        send(exchange, 200, "application/json", stateBytes());
    }

    private void prometheus(HttpExchange exchange) throws IOException {
        send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private void health(HttpExchange exchange) throws IOException {
        boolean up = running && consumer.isRunning();
        DashboardSnapshot snapshot = state.snapshot();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("consumer", up ? "running" : "stopped");
        body.put("records", snapshot.consumer().records());
        body.put("tasks", snapshot.tasks().size());
        body.put("eventClients", eventClients.get());
        if (snapshot.consumer().lastError() != null) {
            body.put("lastError", snapshot.consumer().lastError());
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        send(exchange, up ? 200 : 503, "application/json", json.writeValueAsBytes(body));
    }

    /**
     * One server-sent event {@code state} (the whole snapshot) at connect and after every change,
     * bursts coalesced; a comment line as heartbeat when nothing changed for a while. A client that
     * went away is noticed when a write fails, at the latest at the next heartbeat.
     */
    private void events(HttpExchange exchange) throws IOException {
        if (!eventSlots.tryAcquire()) {
            sendText(exchange, 503, "too many event streams: the limit (maxEventClients) is " + config.maxEventClients());
            return;
        }
        eventClients.incrementAndGet();
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            write(out, "retry: " + CLIENT_RETRY_MILLIS + "\n\n");
            long sent = -1;
            while (running) {
                long revision = state.revision();
                if (revision != sent) {
                    byte[] body = stateBytes();
                    out.write(("id: " + revision + "\nevent: state\ndata: ").getBytes(StandardCharsets.UTF_8));
                    out.write(body);
                    write(out, "\n\n");
                    sent = revision;
                    Thread.sleep(MIN_PUSH_INTERVAL.toMillis());
                }
                if (state.awaitChange(sent, config.heartbeatInterval()) == sent && running) {
                    write(out, ": heartbeat " + System.currentTimeMillis() + "\n\n");
                }
            }
        } catch (IOException e) {
            LOG.debug("event stream closed by the client: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            eventClients.decrementAndGet();
            eventSlots.release();
        }
    }

    // ---- plumbing -------------------------------------------------------------------------------

    /** The snapshot as JSON, serialized once per revision however many clients ask. */
    private byte[] stateBytes() throws IOException {
        DashboardSnapshot snapshot = state.snapshot();
        CachedJson cached = cachedState;
        if (cached.revision() != snapshot.revision()) {
            cached = new CachedJson(snapshot.revision(), json.writeValueAsBytes(snapshot));
            cachedState = cached;
        }
        return cached.bytes();
    }

    private void route(String path, Handler handler) {
        http.createContext(path, new Guarded(path, handler));
    }

    private void sendAsset(HttpExchange exchange, String resource, String name) throws IOException {
        byte[] body;
        try (InputStream in = DashboardServer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                sendText(exchange, 404, "no such asset: " + name);
                return;
            }
            body = in.readAllBytes();
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        send(exchange, 200, ClasspathAssets.contentType(name), body);
    }

    private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        running = false;
        try {
            http.stop(0);
        } finally {
            // interrupts event streams blocked waiting for a change
            pool.shutdownNow();
            try {
                lagMonitor.close();
            } finally {
                try {
                    consumer.close();
                } finally {
                    registry.close();
                }
            }
        }
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @FunctionalInterface
    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    /** GET only; a failing handler answers 500 with the reason instead of a dropped connection. */
    private static final class Guarded implements HttpHandler {
        private final String route;
        private final Handler handler;

        Guarded(String route, Handler handler) {
            this.route = route;
            this.handler = handler;
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("GET")) {
                    exchange.getResponseHeaders().set("Allow", "GET");
                    sendText(exchange, 405, exchange.getRequestMethod() + " is not allowed on " + route + " (GET only)");
                    return;
                }
                handler.handle(exchange);
            } catch (IOException | RuntimeException e) {
                LOG.warn("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
                if (exchange.getResponseCode() == -1) {
                    sendText(exchange, 500, "internal error: " + e);
                }
            }
        }
    }

    private record CachedJson(long revision, byte[] bytes) {}
}
