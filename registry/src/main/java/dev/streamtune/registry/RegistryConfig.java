package dev.streamtune.registry;

import dev.streamtune.schemas.KafkaClientProperties;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run a {@link RegistryServer}.
 *
 * @param host             address the HTTP server binds to ({@code 0.0.0.0} for every interface)
 * @param port             HTTP port; 0 picks a free one, reported by {@link RegistryServer#port()}
 * @param bootstrapServers Kafka {@code bootstrap.servers} of the cluster holding the schemas topic
 * @param topic            the compacted topic with every registration and config change
 * @param handlerThreads   HTTP worker threads (bounded; requests queue behind them)
 * @param kafkaTimeout     how long a Kafka operation (topic creation, replay, one write) may take
 * @param kafkaClient      security settings of its Kafka clients ({@link KafkaClientProperties#none()} for PLAINTEXT)
 */
public record RegistryConfig(
        String host,
        int port,
        String bootstrapServers,
        String topic,
        int handlerThreads,
        Duration kafkaTimeout,
        KafkaClientProperties kafkaClient) {

    /** Confluent Schema Registry's topic name, so tools that know it find ours. */
    public static final String DEFAULT_TOPIC = "_schemas";
    public static final int MAX_HANDLER_THREADS = 256;

    public RegistryConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(kafkaTimeout, "kafkaTimeout");
        Objects.requireNonNull(kafkaClient, "kafkaClient (KafkaClientProperties.none() for PLAINTEXT)");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must not be blank");
        }
        if (topic.isBlank() || topic.length() > 249 || !topic.matches("[a-zA-Z0-9._-]+")) {
            throw new IllegalArgumentException("topic must be 1 to 249 characters of [a-zA-Z0-9._-], was '"
                    + topic + "'");
        }
        if (handlerThreads < 1 || handlerThreads > MAX_HANDLER_THREADS) {
            throw new IllegalArgumentException("handlerThreads must be between 1 and " + MAX_HANDLER_THREADS
                    + ", was " + handlerThreads);
        }
        if (kafkaTimeout.isNegative() || kafkaTimeout.isZero()) {
            throw new IllegalArgumentException("kafkaTimeout must be positive, was " + kafkaTimeout);
        }
    }

    /** Every interface, the given port and Kafka, topic {@value #DEFAULT_TOPIC}, 8 threads, 30 s Kafka timeout. */
    public static RegistryConfig of(int port, String bootstrapServers) {
        return new RegistryConfig("0.0.0.0", port, bootstrapServers, DEFAULT_TOPIC, 8, Duration.ofSeconds(30),
                KafkaClientProperties.none());
    }

    public RegistryConfig withTopic(String newTopic) {
        return new RegistryConfig(host, port, bootstrapServers, newTopic, handlerThreads, kafkaTimeout, kafkaClient);
    }

    public RegistryConfig withPort(int newPort) {
        return new RegistryConfig(host, newPort, bootstrapServers, topic, handlerThreads, kafkaTimeout, kafkaClient);
    }

    public RegistryConfig withHost(String newHost) {
        return new RegistryConfig(newHost, port, bootstrapServers, topic, handlerThreads, kafkaTimeout, kafkaClient);
    }

    public RegistryConfig withKafkaClient(KafkaClientProperties settings) {
        return new RegistryConfig(host, port, bootstrapServers, topic, handlerThreads, kafkaTimeout, settings);
    }
}
