package dev.streamtune.platform;

import dev.streamtune.http.BasicCredentials;
import dev.streamtune.http.HttpServerConfig;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the single-machine platform listens and keeps its state.
 *
 * @param kafkaPort     the broker's client port; 0 picks a free one
 * @param registryPort  the schema registry's HTTP port; 0 picks a free one
 * @param dataDirectory broker logs (and so the registry's {@code _schemas} topic) live here and
 *                      survive restarts; empty means a temporary directory removed on close
 * @param partitions    default partitions of topics the platform creates
 * @param bindAddress   the interface the registry listens on: the loopback unless opened ({@code 0.0.0.0})
 * @param registryWriteCredentials when present, the registry's writes need these basic-auth credentials
 */
public record PlatformConfig(int kafkaPort, int registryPort, Optional<Path> dataDirectory, int partitions,
        String bindAddress, Optional<BasicCredentials> registryWriteCredentials) {

    /** The registry on the loopback interface, writes open. */
    public PlatformConfig(int kafkaPort, int registryPort, Optional<Path> dataDirectory, int partitions) {
        this(kafkaPort, registryPort, dataDirectory, partitions, HttpServerConfig.LOCALHOST, Optional.empty());
    }

    public PlatformConfig {
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new IllegalArgumentException("bindAddress must not be blank (" + HttpServerConfig.LOCALHOST
                    + " for this machine only)");
        }
        Objects.requireNonNull(registryWriteCredentials, "registryWriteCredentials (Optional.empty() for open writes)");
        checkPort("kafkaPort", kafkaPort);
        checkPort("registryPort", registryPort);
        if (kafkaPort != 0 && kafkaPort == registryPort) {
            throw new IllegalArgumentException("kafkaPort and registryPort must differ, both are " + kafkaPort);
        }
        if (dataDirectory == null) {
            throw new IllegalArgumentException("dataDirectory must be given (Optional.empty() for a temporary one)");
        }
        if (partitions < 1 || partitions > 64) {
            throw new IllegalArgumentException("partitions must be between 1 and 64, was " + partitions);
        }
    }

    /** Ephemeral ports and a temporary directory: for tests. */
    public static PlatformConfig ephemeral() {
        return new PlatformConfig(0, 0, Optional.empty(), 3);
    }

    /** Kafka on 9092 and the registry on 8081, the ports every client expects by default. */
    public static PlatformConfig standard(Path dataDirectory) {
        return new PlatformConfig(9092, 8081, Optional.of(dataDirectory), 3);
    }

    public PlatformConfig withBindAddress(String address) {
        return new PlatformConfig(kafkaPort, registryPort, dataDirectory, partitions, address, registryWriteCredentials);
    }

    public PlatformConfig withRegistryWriteCredentials(Optional<BasicCredentials> credentials) {
        return new PlatformConfig(kafkaPort, registryPort, dataDirectory, partitions, bindAddress, credentials);
    }

    private static void checkPort(String field, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(field + " must be between 0 and 65535, was " + port);
        }
    }
}
