package dev.streamtune.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtune.http.BoundedHttpServer;
import dev.streamtune.http.EventStream;
import dev.streamtune.http.EventStreams;
import dev.streamtune.http.HttpHandler;
import dev.streamtune.http.HttpRequest;
import dev.streamtune.http.HttpResponse;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard: a web page with live charts, a JSON snapshot, a server-sent event stream and a
 * Prometheus endpoint, over the state a background consumer folds from the metrics, model-update
 * and dead-letter topics. Served by the shared {@link BoundedHttpServer}; no web framework.
 *
 * <p>Event streams hold no thread: one pusher thread hands each change (bursts coalesced) and each
 * heartbeat to every stream's bounded queue, and a client that does not keep up is dropped (its
 * browser's EventSource reconnects and gets the whole state again).
 *
 * <p>{@link #create} hands back an unstarted server; {@link #start} starts the consumer, the lag
 * poller, the pusher and the HTTP listener; {@link #close} stops them all.
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final String STATIC_ROOT = "dev/streamtune/dashboard/static/";
    /** Bursts of records (a replay from the beginning) are coalesced into at most this many pushes a second. */
    private static final Duration MIN_PUSH_INTERVAL = Duration.ofMillis(250);
    private static final long CLIENT_RETRY_MILLIS = 2_000;
    /** Whole snapshots waiting for one client: a client this far behind is dropped and reconnects. */
    private static final int QUEUED_EVENTS_PER_CLIENT = 8;

    private final DashboardConfig config;
    private final DashboardState state;
    private final DashboardMetrics metrics;
    private final DashboardConsumer consumer;
    private final dev.streamtune.schemas.metrics.ServiceMeters clientMeters = new dev.streamtune.schemas.metrics.ServiceMeters();
    private final LagMonitor lagMonitor;
    private final SchemaRegistryClient registry;
    private final ClasspathAssets assets = new ClasspathAssets();
    private final ObjectMapper json = new ObjectMapper();
    private final EventStreams events;
    private final BoundedHttpServer http;
    private final Thread pusher;
    private volatile boolean running;
    private volatile CachedJson cachedState = new CachedJson(-1, new byte[0]);

    private DashboardServer(DashboardConfig config, SchemaRegistryClient registry) {
        this.config = config;
        this.registry = registry;
        this.state = new DashboardState(config.seriesLimit());
        this.events = new EventStreams(config.maxEventClients(), QUEUED_EVENTS_PER_CLIENT, this::greet);
        this.metrics = new DashboardMetrics(state, events::clients, events::dropped);
        // bind first: a port in use fails here, before any Kafka client exists to be leaked
        this.http = BoundedHttpServer.builder(config.http())
                .route("/", get("/", this::page))                  // the page; any other unknown path is a 404
                .route("/static/", get("/static/", this::staticAsset))    // our own JS and CSS
                .route("/webjars/", get("/webjars/", this::webjarAsset))  // Chart.js from its WebJar
                .route("/api/state", get("/api/state", this::stateJson))  // the whole picture, once
                .events("/events", events)                         // the picture on every change, as server-sent events
                .route("/events", get("/events", r -> HttpResponse.text(404, "no such page: " + r.path())))
                .route("/metrics", get("/metrics", this::prometheus))     // Prometheus text exposition
                .route("/health", get("/health", this::health))           // 200 while the consumer runs, else 503
                .build();
        this.pusher = new Thread(this::pushChanges, "dashboard-events");
        pusher.setDaemon(true);
        DashboardConsumer newConsumer = null;
        try {
            newConsumer = new DashboardConsumer(config, state, registry);
            this.lagMonitor = new LagMonitor(config, state, Clock.systemUTC());
        } catch (RuntimeException e) {
            if (newConsumer != null) {
                newConsumer.close();
            }
            http.close();
            throw e;
        }
        this.consumer = newConsumer;
        clientMeters.addKafkaClient(newConsumer.kafkaClient()).bindTo(metrics.registry());
    }

    /** An unstarted dashboard for {@code config}; the registry client is made from its URL. */
    public static DashboardServer create(DashboardConfig config) {
        return new DashboardServer(config, SchemaRegistryClients.create(AvroSerdeConfig.of(config.registryUrl())));
    }

    public DashboardServer start() {
        running = true;
        consumer.start();
        lagMonitor.start();
        pusher.start();
        http.start();
        LOG.info("dashboard at {}", url());
        return this;
    }

    /** The bound port (the real one when the config asked for 0). */
    public int port() {
        return http.port();
    }

    public String url() {
        return http.url() + "/";
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

    private HttpResponse page(HttpRequest request) throws IOException {
        String path = request.path();
        if (!path.equals("/") && !path.equals("/index.html")) {
            return HttpResponse.text(404, "no such page: " + path);
        }
        return asset(STATIC_ROOT + "index.html", "index.html");
    }

    private HttpResponse staticAsset(HttpRequest request) throws IOException {
        String relative = request.path().substring("/static/".length());
        if (!ClasspathAssets.isSafe(relative)) {
            return HttpResponse.text(400, "bad asset path: " + relative);
        }
        return asset(STATIC_ROOT + relative, relative);
    }

    private HttpResponse webjarAsset(HttpRequest request) throws IOException {
        String relative = request.path().substring("/webjars/".length());
        if (!ClasspathAssets.isSafe(relative)) {
            return HttpResponse.text(400, "bad asset path: " + relative);
        }
        String resource = assets.webjarResource(relative);
        if (resource == null) {
            return HttpResponse.text(404, "no such WebJar asset: " + relative);
        }
        return asset(resource, relative);
    }

    private HttpResponse stateJson(HttpRequest request) throws IOException {
        return HttpResponse.json(200, stateBytes()).withHeader("Cache-Control", "no-store");
    }

    private HttpResponse prometheus(HttpRequest request) {
        return HttpResponse.of(200, "text/plain; version=0.0.4; charset=utf-8",
                metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse health(HttpRequest request) throws IOException {
        boolean up = running && consumer.isRunning();
        DashboardSnapshot snapshot = state.snapshot();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("consumer", up ? "running" : "stopped");
        body.put("records", snapshot.consumer().records());
        body.put("tasks", snapshot.tasks().size());
        body.put("eventClients", events.clients());
        body.put("eventClientsDropped", events.dropped());
        if (snapshot.consumer().lastError() != null) {
            body.put("lastError", snapshot.consumer().lastError());
        }
        return HttpResponse.json(up ? 200 : 503, json.writeValueAsBytes(body)).withHeader("Cache-Control", "no-store");
    }

    /** What a new {@code /events} client gets first: how long to wait before reconnecting, then the state. */
    private void greet(EventStream stream) {
        stream.send("retry: " + CLIENT_RETRY_MILLIS + "\n\n");
        try {
            stream.send(stateEvent());
        } catch (IOException e) {
            LOG.warn("cannot render the state for a new event client: {}", e.toString());
        }
    }

    /**
     * One server-sent event {@code state} (the whole snapshot) to every stream after every change,
     * bursts coalesced; a comment line as heartbeat when nothing changed for a while, which is also
     * how a client that went away is noticed (its write fails).
     */
    private void pushChanges() {
        long sent = state.revision();
        try {
            while (running) {
                long revision = state.revision();
                if (revision != sent) {
                    events.broadcast(stateEvent());
                    sent = revision;
                    Thread.sleep(MIN_PUSH_INTERVAL.toMillis());
                }
                if (state.awaitChange(sent, config.heartbeatInterval()) == sent && running) {
                    events.broadcast(": heartbeat " + System.currentTimeMillis() + "\n\n");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.error("the dashboard's event pusher stopped: {}", e.toString(), e);
        }
    }

    // ---- plumbing -------------------------------------------------------------------------------

    private String stateEvent() throws IOException {
        long revision = state.revision();
        return "id: " + revision + "\nevent: state\ndata: " + new String(stateBytes(), StandardCharsets.UTF_8) + "\n\n";
    }

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

    private HttpResponse asset(String resource, String name) throws IOException {
        try (InputStream in = DashboardServer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return HttpResponse.text(404, "no such asset: " + name);
            }
            return HttpResponse.of(200, ClasspathAssets.contentType(name), in.readAllBytes())
                    .withHeader("Cache-Control", "no-cache");
        }
    }

    /** GET only: anything else is 405 naming the route. */
    private static HttpHandler get(String route, HttpHandler handler) {
        return request -> {
            if (!request.method().equals("GET")) {
                return HttpResponse.text(405, request.method() + " is not allowed on " + route + " (GET only)")
                        .withHeader("Allow", "GET");
            }
            return handler.handle(request);
        };
    }

    @Override
    public void close() {
        running = false;
        pusher.interrupt();
        try {
            http.close();
        } finally {
            try {
                lagMonitor.close();
            } finally {
                try {
                    clientMeters.close();
                    consumer.close();
                } finally {
                    registry.close();
                }
            }
        }
        try {
            pusher.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record CachedJson(long revision, byte[] bytes) {}
}
