package dev.streamtune.app;

import dev.streamtune.http.BoundedHttpServer;
import dev.streamtune.http.HttpResponse;
import dev.streamtune.http.HttpServerConfig;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * The small HTTP side of every service but the dashboard (which serves its own): Prometheus
 * metrics on {@code /metrics} and {@code /health} (200 while the service runs, 503 otherwise),
 * on one port of the shared {@link BoundedHttpServer} with two handler threads; connections that
 * send nothing or half a request hold none of them.
 */
final class ServiceEndpoint implements AutoCloseable {
    private final BoundedHttpServer server;
    private final PrometheusMeterRegistry registry;

    private ServiceEndpoint(BoundedHttpServer server, PrometheusMeterRegistry registry) {
        this.server = server;
        this.registry = registry;
    }

    /** Serves {@code /metrics} and {@code /health} for {@code service} on {@code bindAddress:port}. */
    static ServiceEndpoint start(String service, String bindAddress, int port, BooleanSupplier healthy) throws IOException {
        return start(HttpServerConfig.localhost(service + "-endpoint", port).withBindAddress(bindAddress).withThreads(2)
                .withMaxConnections(64).withMaxBodyBytes(0), service, healthy);
    }

    static ServiceEndpoint start(HttpServerConfig http, String service, BooleanSupplier healthy) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", service);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        BoundedHttpServer server;
        try {
            server = BoundedHttpServer.builder(http)
                    .route("/metrics", request -> HttpResponse.of(200, "text/plain; version=0.0.4; charset=utf-8",
                            registry.scrape().getBytes(StandardCharsets.UTF_8)))
                    .route("/health", request -> {
                        boolean up = healthy.getAsBoolean();
                        return HttpResponse.json(up ? 200 : 503, ("{\"service\":\"" + service + "\",\"status\":\""
                                + (up ? "UP" : "DOWN") + "\"}").getBytes(StandardCharsets.UTF_8));
                    })
                    .build().start();
        } catch (UncheckedIOException e) {
            registry.close();
            throw new IOException(e.getMessage() + "; pick another with --metrics-port", e);
        }
        return new ServiceEndpoint(server, registry);
    }

    /** Serves a service's own meters ({@code ServiceMeters}: its domain meters and its Kafka clients') too. */
    ServiceEndpoint bind(MeterBinder meters) {
        meters.bindTo(registry);
        return this;
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    int port() {
        return server.port();
    }

    String url() {
        return server.url();
    }

    @Override
    public void close() {
        server.close();
        registry.close();
    }
}
