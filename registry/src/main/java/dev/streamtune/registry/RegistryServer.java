package dev.streamtune.registry;

import dev.streamtune.schemas.KafkaClientProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry serving the Confluent Schema Registry REST API subset that serializers and
 * clients use (register, look up, fetch by id, versions, compatibility, config), on the JDK's HTTP
 * server with a bounded, named thread pool.
 *
 * <p>State lives in a {@link SchemaStore}; {@link #startWithKafka} uses the compacted Kafka topic
 * of {@link KafkaSchemaStore}, so a restarted registry serves the same ids. Run one instance per
 * schemas topic: ids are assigned by the instance, not by Kafka.
 *
 * <p>Only AVRO schemas are served; other schema types and schema references get 42201.
 */
public final class RegistryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryServer.class);
    /** Requests waiting for a worker beyond this run on the accepting thread, which slows accepting. */
    private static final int QUEUED_REQUESTS = 256;

    private final RegistryConfig config;
    private final SchemaStore store;
    private final HttpServer server;
    private final ThreadPoolExecutor workers;
    private boolean started;
    private boolean closed;

    /** An unstarted server over {@code store}; the server closes the store when it closes. */
    public RegistryServer(RegistryConfig config, SchemaStore store) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
        try {
            this.server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind the registry to " + config.host() + ":" + config.port(), e);
        }
        this.workers = new ThreadPoolExecutor(config.handlerThreads(), config.handlerThreads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED_REQUESTS), namedThreads("registry-http-"),
                new ThreadPoolExecutor.CallerRunsPolicy());
        server.createContext("/", new RegistryHttpHandler(new SchemaRegistry(store)));
        server.setExecutor(workers);
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
            LOG.info("Schema registry serving {} (schemas topic {})", url(), config.topic());
        }
        return this;
    }

    /** The bound port: the chosen one when the config asked for 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The base URL clients use as {@code schema.registry.url}. */
    public String url() {
        String host = config.host().equals("0.0.0.0") ? "localhost" : config.host();
        return "http://" + host + ":" + port();
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
        server.stop(0);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        store.close();
        LOG.info("Schema registry on port {} stopped", port());
    }

    private static ThreadFactory namedThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * {@code RegistryServer <bootstrap.servers> [port] [topic]}: serves until the JVM stops.
     * Defaults: port 8081, topic {@value RegistryConfig#DEFAULT_TOPIC}. Kafka security settings come from the file
     * {@value KafkaClientProperties#ENV} names.
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: RegistryServer <bootstrap.servers> [port (default 8081)] [topic (default "
                    + RegistryConfig.DEFAULT_TOPIC + ")]");
            System.exit(2);
        }
        RegistryConfig config = RegistryConfig.of(args.length > 1 ? Integer.parseInt(args[1]) : 8081, args[0]);
        if (args.length > 2) {
            config = config.withTopic(args[2]);
        }
        config = config.withKafkaClient(KafkaClientProperties.resolve(null, System.getenv()));
        RegistryServer server = startWithKafka(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "registry-shutdown"));
        System.out.println("Schema registry at " + server.url());
        stopped.await();
    }
}
