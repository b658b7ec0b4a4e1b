package dev.streamtune.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to run an {@link EmbeddedKafkaBroker}. Immutable; start from {@link #defaults()} and adjust
 * with the {@code with...} methods.
 *
 * @param host             host name the listeners bind to and advertise to clients
 * @param port             client (PLAINTEXT) port; 0 picks a free ephemeral port
 * @param controllerPort   KRaft controller port; 0 picks a free ephemeral port
 * @param dataDirectory    log and metadata directory; empty means a fresh temporary directory that
 *                         is deleted on close. A given directory is formatted on first use and its
 *                         topics and offsets are kept across restarts.
 * @param defaultPartitions partitions of a topic created without an explicit count
 * @param autoCreateTopics whether producing to or fetching metadata of an unknown topic creates it
 * @param startupTimeout   how long {@link EmbeddedKafkaBroker#start} waits for the broker to serve clients
 * @param overrides        extra broker properties, applied last (e.g. {@code log.retention.ms})
 * @param security         empty for a PLAINTEXT listener open to everyone; else SASL_SSL, SCRAM users and ACLs
 * @param cluster          empty for a single node; else this node's place in a multi-node KRaft cluster (its
 *                         controller port comes from the membership)
 */
public record BrokerConfig(
        String host,
        int port,
        int controllerPort,
        Optional<Path> dataDirectory,
        int defaultPartitions,
        boolean autoCreateTopics,
        Duration startupTimeout,
        Map<String, String> overrides,
        Optional<BrokerSecurity> security,
        Optional<ClusterMembership> cluster) {

    /** The most partitions a topic gets by default; more is possible per topic, never by accident. */
    public static final int MAX_DEFAULT_PARTITIONS = 1_000;

    public BrokerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        Objects.requireNonNull(overrides, "overrides");
        Objects.requireNonNull(security, "security (Optional.empty() for PLAINTEXT)");
        Objects.requireNonNull(cluster, "cluster (Optional.empty() for a single node)");
        if (cluster.isPresent() && (port == 0 || dataDirectory.isEmpty())) {
            throw new IllegalArgumentException("a cluster node needs a fixed port and a data directory (its log must"
                    + " outlive a restart), got port " + port + " and " + dataDirectory);
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        checkPort("port", port);
        checkPort("controllerPort", controllerPort);
        if (port != 0 && port == controllerPort) {
            throw new IllegalArgumentException(
                    "port and controllerPort must differ, both are " + port);
        }
        if (defaultPartitions < 1 || defaultPartitions > MAX_DEFAULT_PARTITIONS) {
            throw new IllegalArgumentException("defaultPartitions must be between 1 and "
                    + MAX_DEFAULT_PARTITIONS + ", was " + defaultPartitions);
        }
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new IllegalArgumentException("startupTimeout must be positive, was " + startupTimeout);
        }
        overrides.forEach((key, value) -> {
            if (key == null || key.isBlank() || value == null) {
                throw new IllegalArgumentException(
                        "overrides must have non-blank keys and non-null values, got " + key + "=" + value);
            }
        });
        overrides = Map.copyOf(overrides);
    }

    private static void checkPort(String field, int value) {
        if (value < 0 || value > 65_535) {
            throw new IllegalArgumentException(field + " must be between 0 and 65535, was " + value);
        }
    }

    /** localhost, ephemeral ports, a temporary data directory, one partition per topic. */
    public static BrokerConfig defaults() {
        return new BrokerConfig("localhost", 0, 0, Optional.empty(), 1, true,
                Duration.ofSeconds(60), Map.of(), Optional.empty(), Optional.empty());
    }

    public BrokerConfig withPort(int newPort) {
        return new BrokerConfig(host, newPort, controllerPort, dataDirectory, defaultPartitions,
                autoCreateTopics, startupTimeout, overrides, security, cluster);
    }

    public BrokerConfig withControllerPort(int newControllerPort) {
        return new BrokerConfig(host, port, newControllerPort, dataDirectory, defaultPartitions,
                autoCreateTopics, startupTimeout, overrides, security, cluster);
    }

    public BrokerConfig withDataDirectory(Path directory) {
        return new BrokerConfig(host, port, controllerPort, Optional.of(directory), defaultPartitions,
                autoCreateTopics, startupTimeout, overrides, security, cluster);
    }

    public BrokerConfig withDefaultPartitions(int partitions) {
        return new BrokerConfig(host, port, controllerPort, dataDirectory, partitions,
                autoCreateTopics, startupTimeout, overrides, security, cluster);
    }

    public BrokerConfig withAutoCreateTopics(boolean enabled) {
        return new BrokerConfig(host, port, controllerPort, dataDirectory, defaultPartitions,
                enabled, startupTimeout, overrides, security, cluster);
    }

    public BrokerConfig withStartupTimeout(Duration timeout) {
        return new BrokerConfig(host, port, controllerPort, dataDirectory, defaultPartitions,
                autoCreateTopics, timeout, overrides, security, cluster);
    }

    public BrokerConfig withOverrides(Map<String, String> properties) {
        return new BrokerConfig(host, port, controllerPort, dataDirectory, defaultPartitions,
                autoCreateTopics, startupTimeout, properties, security, cluster);
    }

    public BrokerConfig withSecurity(BrokerSecurity newSecurity) {
        return new BrokerConfig(host, port, controllerPort, dataDirectory, defaultPartitions,
                autoCreateTopics, startupTimeout, overrides, Optional.of(newSecurity), cluster);
    }

    /** This node as a member of a multi-node cluster. */
    public BrokerConfig withCluster(ClusterMembership membership) {
        return new BrokerConfig(host, port, membership.controllerPort(), dataDirectory, defaultPartitions,
                autoCreateTopics, startupTimeout, overrides, security, Optional.of(membership));
    }
}
