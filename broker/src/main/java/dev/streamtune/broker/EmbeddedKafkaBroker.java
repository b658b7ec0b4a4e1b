package dev.streamtune.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker (KRaft, broker and controller in one process) running inside this JVM, built
 * from the {@code kafka_2.13} server artifact: the same code as a standalone broker, only started
 * without a separate process.
 *
 * <p>Alone (the default), settings suit one node: replication factor 1 and min ISR 1 for the offsets,
 * transaction and share-group state topics, so consumer groups, transactions and {@code exactly_once_v2}
 * work; no initial rebalance delay, so consumer groups form at once in tests. As one node of a cluster
 * ({@link BrokerConfig#cluster}, each node its own process, as {@code up --brokers 3} runs them) the
 * internal topics get RF 3 and min ISR 2 and the node joins the given controller quorum.
 *
 * <p>With {@link BrokerConfig#security} the one client listener speaks SASL_SSL, the SCRAM users and ACLs of the
 * {@link BrokerSecurity} exist once {@link #start} returns, and clients connect with {@link #adminProperties()} (the
 * super user) or {@link BrokerSecurity#userClient}.
 *
 * <p>The storage directory is formatted only when it holds no {@code meta.properties} yet, so a
 * broker restarted on the same directory keeps its cluster id, topics, records and offsets.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.defaults())) {
 *     producerProps.put("bootstrap.servers", broker.bootstrapServers());
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    /** The node id of a broker that is not part of a cluster. */
    private static final int SINGLE_NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String CLIENT_LISTENER = "PLAINTEXT";
    /** The client listener's name when {@link BrokerConfig#security} is set. */
    private static final String SECURE_CLIENT_LISTENER = "SASL_SSL";
    /** Ephemeral ports are chosen before the broker binds them, so another process may win a race. */
    private static final int BIND_ATTEMPTS = 5;

    private final KafkaRaftServer server;
    private final BrokerConfig config;
    private final Path dataDirectory;
    private final boolean temporaryDirectory;
    private final int port;
    private final int controllerPort;
    private final String clusterId;
    private boolean closed;

    private EmbeddedKafkaBroker(KafkaRaftServer server, BrokerConfig config, Path dataDirectory,
            boolean temporaryDirectory, int port, int controllerPort, String clusterId) {
        this.server = server;
        this.config = config;
        this.dataDirectory = dataDirectory;
        this.temporaryDirectory = temporaryDirectory;
        this.port = port;
        this.controllerPort = controllerPort;
        this.clusterId = clusterId;
    }

    /**
     * Formats the data directory if needed, starts the broker and returns once it answers clients.
     *
     * @throws IllegalStateException when the broker does not start within the configured timeout
     */
    public static EmbeddedKafkaBroker start(BrokerConfig config) {
        long startedAt = System.nanoTime();
        boolean temporary = config.dataDirectory().isEmpty();
        Path directory = config.dataDirectory().orElseGet(EmbeddedKafkaBroker::createTemporaryDirectory);
        try {
            Files.createDirectories(directory);
            String clusterId = formatIfNeeded(directory, config.cluster());
            for (int attempt = 1; ; attempt++) {
                int port = config.port() != 0 ? config.port() : freePort(config.host());
                int controllerPort = config.controllerPort() != 0 ? config.controllerPort() : freePort(config.host());
                KafkaRaftServer server = new KafkaRaftServer(
                        new KafkaConfig(brokerProperties(config, directory, port, controllerPort), false),
                        Time.SYSTEM);
                try {
                    server.startup();
                } catch (RuntimeException e) {
                    stopQuietly(server);
                    boolean ephemeral = config.port() == 0 || config.controllerPort() == 0;
                    if (ephemeral && isBindFailure(e) && attempt < BIND_ATTEMPTS) {
                        LOG.warn("Ports {}/{} were taken before the broker bound them; retrying ({}/{})",
                                port, controllerPort, attempt, BIND_ATTEMPTS);
                        continue;
                    }
                    throw new IllegalStateException("Kafka broker failed to start on " + config.host()
                            + ":" + port + " (controller " + controllerPort + "): " + e.getMessage(), e);
                }
                EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(
                        server, config, directory, temporary, port, controllerPort, clusterId);
                try {
                    broker.awaitClients(config);
                    if (config.security().isPresent()) {
                        BrokerUsersAndAcls.apply(broker.adminProperties(), config.security().get(), config.startupTimeout());
                    }
                } catch (RuntimeException e) {
                    broker.close();
                    throw e;
                }
                LOG.info("Kafka broker (KRaft, cluster {}) serving {} in {} ms, data in {}",
                        clusterId, broker.bootstrapServers(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt), directory);
                return broker;
            }
        } catch (IOException e) {
            if (temporary) {
                deleteRecursively(directory);
            }
            throw new UncheckedIOException("Cannot prepare Kafka data directory " + directory, e);
        } catch (RuntimeException e) {
            if (temporary) {
                deleteRecursively(directory);
            }
            throw e;
        }
    }

    /**
     * {@code bootstrap.servers} and, on a secured broker, the super user's SASL_SSL settings: what an admin client
     * needs to create topics, users and ACLs.
     */
    public Map<String, Object> adminProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.security().ifPresent(security -> props.putAll(security.superUserClient()));
        return props;
    }

    /** {@code host:port} for the {@code bootstrap.servers} client setting. */
    public String bootstrapServers() {
        return config.host() + ":" + port;
    }

    /** The client port actually bound (the chosen one when the config asked for 0). */
    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The KRaft cluster id, written at format time and kept across restarts. */
    public String clusterId() {
        return clusterId;
    }

    public BrokerConfig config() {
        return config;
    }

    /** Stops the broker and waits until it has shut down; deletes a temporary data directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long stoppingAt = System.nanoTime();
        stopQuietly(server);
        if (temporaryDirectory) {
            deleteRecursively(dataDirectory);
        }
        LOG.info("Kafka broker {} stopped in {} ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppingAt));
    }

    private void awaitClients(BrokerConfig brokerConfig) {
        long deadline = System.nanoTime() + brokerConfig.startupTimeout().toNanos();
        Map<String, Object> adminProps = adminProperties();
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(adminProps)) {
            Exception last = null;
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                            .nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
                }
                sleep(100);
            }
            throw new IllegalStateException("Kafka broker at " + bootstrapServers()
                    + " did not answer clients within " + brokerConfig.startupTimeout(), last);
        }
    }

    static Properties brokerProperties(BrokerConfig config, Path directory, int port, int controllerPort) {
        Map<String, String> props = new HashMap<>();
        props.put("process.roles", "broker,controller");
        int nodeId = config.cluster().map(ClusterMembership::nodeId).orElse(SINGLE_NODE_ID);
        props.put("node.id", String.valueOf(nodeId));
        props.put("controller.quorum.voters", config.cluster().map(c -> c.quorumVoters(config.host()))
                .orElse(SINGLE_NODE_ID + "@" + config.host() + ":" + controllerPort));
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        String client = config.security().isPresent() ? SECURE_CLIENT_LISTENER : CLIENT_LISTENER;
        props.put("listeners", client + "://" + config.host() + ":" + port + ","
                + CONTROLLER_LISTENER + "://" + config.host() + ":" + controllerPort);
        props.put("advertised.listeners", client + "://" + config.host() + ":" + port);
        props.put("inter.broker.listener.name", client);
        props.put("listener.security.protocol.map",
                CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        config.security().ifPresent(security -> props.putAll(security.serverProperties(client, CONTROLLER_LISTENER)));
        props.put("log.dirs", directory.toAbsolutePath().toString());
        props.put("metadata.log.dir", directory.toAbsolutePath().toString());

        // one node: every internal topic has a single replica, and that replica is enough; a cluster keeps
        // three copies of which two must acknowledge, so any one node may die
        String rf = String.valueOf(config.cluster().map(ClusterMembership::replicationFactor).orElse(1));
        String minIsr = String.valueOf(config.cluster().map(ClusterMembership::minInsyncReplicas).orElse(1));
        props.put("default.replication.factor", rf);
        props.put("min.insync.replicas", minIsr);
        props.put("offsets.topic.replication.factor", rf);
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", rf);
        props.put("transaction.state.log.min.isr", minIsr);
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.replication.factor", rf);
        props.put("share.coordinator.state.topic.min.isr", minIsr);
        props.put("num.partitions", String.valueOf(config.defaultPartitions()));
        props.put("auto.create.topics.enable", String.valueOf(config.autoCreateTopics()));
        props.put("group.initial.rebalance.delay.ms", "0");

        // small footprint: the machine is shared with tests and other services
        props.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "4");
        props.put("background.threads", "4");
        props.put("num.recovery.threads.per.data.dir", "1");
        props.put("log.cleaner.threads", "1");

        props.putAll(config.overrides());
        Properties properties = new Properties();
        properties.putAll(props);
        return properties;
    }

    /**
     * Writes meta.properties and the bootstrap metadata unless an earlier start already did; a cluster node
     * is formatted with the cluster's id, a single node with a fresh one.
     */
    private static String formatIfNeeded(Path directory, java.util.Optional<ClusterMembership> cluster) throws IOException {
        Path meta = directory.resolve("meta.properties");
        if (Files.exists(meta)) {
            Properties existing = new Properties();
            try (var in = Files.newInputStream(meta)) {
                existing.load(in);
            }
            String clusterId = existing.getProperty("cluster.id");
            if (clusterId == null) {
                throw new IllegalStateException(meta + " has no cluster.id; delete the directory to reformat");
            }
            LOG.info("Reusing formatted Kafka data directory {} (cluster {})", directory, clusterId);
            return clusterId;
        }
        String clusterId = cluster.map(ClusterMembership::clusterId).orElseGet(() -> Uuid.randomUuid().toString());
        // the formatter prints a line per directory; keep it out of stdout
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Formatter formatter = new Formatter()
                .setPrintStream(discard)
                .setNodeId(cluster.map(ClusterMembership::nodeId).orElse(SINGLE_NODE_ID))
                .setClusterId(clusterId)
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setMetadataLogDirectory(directory.toAbsolutePath().toString())
                .setIgnoreFormatted(false);
        formatter.addDirectory(directory.toAbsolutePath().toString());
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka data directory " + directory + ": " + e.getMessage(), e);
        }
        LOG.info("Formatted Kafka data directory {} (cluster {})", directory, clusterId);
        return clusterId;
    }

    /** A port free on {@code host} now (another process may take it before it is bound). */
    public static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on " + host, e);
        }
    }

    private static boolean isBindFailure(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof BindException
                    || (t.getMessage() != null && t.getMessage().contains("failed to bind"))) {
                return true;
            }
        }
        return false;
    }

    private static void stopQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Kafka broker did not shut down cleanly: {}", e.toString());
        }
    }

    private static Path createTemporaryDirectory() {
        try {
            return Files.createTempDirectory("streamtune-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary Kafka data directory", e);
        }
    }

    private static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.warn("Cannot delete {}: {}", path, e.toString());
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Cannot delete temporary Kafka data directory {}: {}", directory, e.toString());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
        }
    }
}
