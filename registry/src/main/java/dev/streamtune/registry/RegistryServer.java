package dev.streamtune.registry;

import dev.streamtune.schemas.KafkaClientProperties;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

import dev.streamtune.http.BoundedHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry serving the Confluent Schema Registry REST API subset that serializers and
 * clients use (register, look up, fetch by id, versions, compatibility, config), on the shared
 * {@link BoundedHttpServer}: the loopback interface unless opened, with request, idle and write
 * timeouts, header and body limits and a connection cap from {@link RegistryConfig#http()}.
 *
 * <p>State lives in a {@link SchemaStore}; {@link #startWithKafka} uses the compacted Kafka topic
 * of {@link KafkaSchemaStore}, so a restarted registry serves the same ids. Run one instance per
 * schemas topic: ids are assigned by the instance, not by Kafka. {@link RegistryConfig#limits()}
 * bounds subjects, versions and schema size; {@link RegistryConfig#writeCredentials()} guards writes.
 *
 * <p>Only AVRO schemas are served; other schema types and schema references get 42201.
 */
public final class RegistryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryServer.class);

    private final RegistryConfig config;
    private final SchemaStore store;
    private final BoundedHttpServer server;
    private boolean started;
    private boolean closed;

    /** An unstarted server over {@code store}; the server closes the store when it closes. */
    public RegistryServer(RegistryConfig config, SchemaStore store) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
        this.server = BoundedHttpServer.builder(config.http())
                .route("/", new RegistryHttpHandler(new SchemaRegistry(store, config.limits()), config.writeCredentials()))
                .errors(RegistryHttpHandler.CONFLUENT_ERRORS)
                .build();
    }

    /** Opens the Kafka-backed store (creating and replaying the topic), then starts serving. */
    public static RegistryServer startWithKafka(RegistryConfig config) {
        KafkaSchemaStore store = KafkaSchemaStore.open(config);
        try {
            return new RegistryServer(config, store).start();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public synchronized RegistryServer start() {
        if (closed) {
            throw new IllegalStateException("The registry was closed; create a new one");
        }
        if (!started) {
            server.start();
            started = true;
            LOG.info("Schema registry serving {} on {} (schemas topic {}{})", url(), config.http().bindAddress(),
                    config.topic(), config.writeCredentials().map(c -> ", writes need basic auth as " + c.user())
                            .orElse(""));
        }
        return this;
    }

    /** The bound port: the chosen one when the config asked for 0. */
    public int port() {
        return server.port();
    }

    /** The base URL clients use as {@code schema.registry.url}. */
    public String url() {
        return server.url();
    }

    public RegistryConfig config() {
        return config;
    }

    public SchemaStore store() {
        return store;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        int port = port();
        server.close();
        store.close();
        LOG.info("Schema registry on port {} stopped", port);
    }
}
