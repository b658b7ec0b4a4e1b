package dev.streamtune.trainer.service;

import dev.streamtune.schemas.ProducerSettings;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The clients a {@link TrainerService} works through; {@link #create} builds them from its config
 * (a transactional, idempotent producer; a read-committed consumer without auto-commit). The
 * service closes them when its run ends.
 *
 * @param consumer reads the tasks topic, models.candidates/updates and the input topic
 * @param producer publishes versions and metrics in transactions ({@link TrainerServiceConfig#transactionalId()})
 * @param admin creates the output topics
 * @param registry the schema registry of the Avro values
 */
public record TrainerClients(Consumer<byte[], byte[]> consumer, Producer<String, byte[]> producer, Admin admin,
        SchemaRegistryClient registry) implements AutoCloseable {

    public TrainerClients {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(registry, "registry");
    }

    /** The production clients of {@code config}. */
    public static TrainerClients create(TrainerServiceConfig config) {
        SchemaRegistryClient registry = SchemaRegistryClients.create(config.serde());
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        config.kafkaClient().applyTo(adminProps);
        Admin admin = Admin.create(adminProps);
        try {
            Map<String, Object> producerProps = ProducerSettings.transactional(config.kafkaClient().with(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers())), config.transactionalId());
            producerProps.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
            KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                    new ByteArraySerializer());
            try {
                Properties consumerProps = new Properties();
                consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
                config.kafkaClient().applyTo(consumerProps);
                consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
                consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
                consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
                consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1_000);
                return new TrainerClients(new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer()), producer, admin, registry);
            } catch (RuntimeException e) {
                producer.close(Duration.ZERO);
                throw e;
            }
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO);
            throw e;
        }
    }

    @Override
    public void close() {
        try (Admin a = admin; Producer<String, byte[]> p = producer; Consumer<byte[], byte[]> c = consumer) {
            // closed in reverse order
        }
    }
}
