package dev.streamtune.registry;

import dev.streamtune.http.BasicCredentials;
import dev.streamtune.http.HttpServerConfig;
import dev.streamtune.schemas.KafkaClientProperties;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to run a {@link RegistryServer}.
 *
 * @param http             where and how the REST API listens: bind address (the loopback unless
 *                         opened), port (0 picks a free one, see {@link RegistryServer#port()}),
 *                         threads, timeouts, header and body limits, connection cap
 * @param bootstrapServers Kafka {@code bootstrap.servers} of the cluster holding the schemas topic
 * @param topic            the compacted topic with every registration and config change
 * @param kafkaTimeout     how long a Kafka operation (topic creation, replay, one write) may take
 * @param limits           subjects, versions per subject and schema size the registry accepts
 * @param writeCredentials when present, requests that change state (register, set compatibility,
 *                         delete) need these basic-auth credentials; reads stay open
 * @param kafkaClient      security settings of its Kafka clients ({@link KafkaClientProperties#none()} for PLAINTEXT)
 */
public record RegistryConfig(
        HttpServerConfig http,
        String bootstrapServers,
        String topic,
        Duration kafkaTimeout,
        RegistryLimits limits,
        Optional<BasicCredentials> writeCredentials,
        KafkaClientProperties kafkaClient) {

    /** Confluent Schema Registry's topic name, so tools that know it find ours. */
    public static final String DEFAULT_TOPIC = "_schemas";
    /** The variable holding {@code user:password} for the write endpoints when no file is named. */
    public static final String AUTH_ENV = "STREAMTUNE_REGISTRY_AUTH";

    public RegistryConfig {
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(kafkaTimeout, "kafkaTimeout");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(kafkaClient, "kafkaClient (KafkaClientProperties.none() for PLAINTEXT)");
        Objects.requireNonNull(writeCredentials, "writeCredentials (Optional.empty() for open writes)");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must not be blank");
        }
        if (topic.isBlank() || topic.length() > 249 || !topic.matches("[a-zA-Z0-9._-]+")) {
            throw new IllegalArgumentException("topic must be 1 to 249 characters of [a-zA-Z0-9._-], was '"
                    + topic + "'");
        }
        if (kafkaTimeout.isNegative() || kafkaTimeout.isZero()) {
            throw new IllegalArgumentException("kafkaTimeout must be positive, was " + kafkaTimeout);
        }
        if (http.maxBodyBytes() < limits.maxRequestBytes()) {
            throw new IllegalArgumentException("http.maxBodyBytes (" + http.maxBodyBytes() + ") must hold a schema of "
                    + "limits.maxSchemaBytes (" + limits.maxSchemaBytes() + "): at least " + limits.maxRequestBytes());
        }
    }

    /**
     * The loopback interface, the given port and Kafka, topic {@value #DEFAULT_TOPIC}, 8 threads,
     * 30 s Kafka timeout, {@link RegistryLimits#defaults()}, open writes.
     */
    public static RegistryConfig of(int port, String bootstrapServers) {
        RegistryLimits limits = RegistryLimits.defaults();
        return new RegistryConfig(HttpServerConfig.localhost("registry", port).withMaxBodyBytes(limits.maxRequestBytes()),
                bootstrapServers, DEFAULT_TOPIC, Duration.ofSeconds(30), limits, Optional.empty(),
                KafkaClientProperties.none());
    }

    /** The bound-to port asked for (0: any free one). */
    public int port() {
        return http.port();
    }

    public RegistryConfig withTopic(String newTopic) {
        return new RegistryConfig(http, bootstrapServers, newTopic, kafkaTimeout, limits, writeCredentials, kafkaClient);
    }

    public RegistryConfig withPort(int newPort) {
        return withHttp(http.withPort(newPort));
    }

    /** Listens on {@code address}: {@code 0.0.0.0} opens the registry to every interface. */
    public RegistryConfig withBindAddress(String address) {
        return withHttp(http.withBindAddress(address));
    }

    public RegistryConfig withHttp(HttpServerConfig newHttp) {
        return new RegistryConfig(newHttp, bootstrapServers, topic, kafkaTimeout, limits, writeCredentials, kafkaClient);
    }

    /** New limits; the HTTP body limit grows with the schema size when it has to. */
    public RegistryConfig withLimits(RegistryLimits newLimits) {
        HttpServerConfig sized = http.maxBodyBytes() < newLimits.maxRequestBytes()
                ? http.withMaxBodyBytes(newLimits.maxRequestBytes()) : http;
        return new RegistryConfig(sized, bootstrapServers, topic, kafkaTimeout, newLimits, writeCredentials, kafkaClient);
    }

    public RegistryConfig withWriteCredentials(Optional<BasicCredentials> credentials) {
        return new RegistryConfig(http, bootstrapServers, topic, kafkaTimeout, limits, credentials, kafkaClient);
    }

    public RegistryConfig withKafkaClient(KafkaClientProperties settings) {
        return new RegistryConfig(http, bootstrapServers, topic, kafkaTimeout, limits, writeCredentials, settings);
    }
}
