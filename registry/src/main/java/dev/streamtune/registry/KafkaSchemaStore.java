package dev.streamtune.registry;

import dev.streamtune.schemas.ProducerSettings;
import dev.streamtune.schemas.TopicReader;
import dev.streamtune.schemas.topics.TopicDeclaration;
import dev.streamtune.schemas.topics.TopicProvisioner;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import org.apache.kafka.common.errors.RetriableException;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registry state in a compacted single-partition Kafka topic. On open it creates the topic if it is
 * missing and replays it to the end, so a restarted registry serves the same ids and versions.
 * Every write is produced and acknowledged by the broker ({@code acks=all}) before it is applied
 * and served.
 *
 * <p>One registry instance per topic is the supported deployment: this store does not follow
 * records written by another instance after its own start.
 */
public final class KafkaSchemaStore implements SchemaStore {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaStore.class);
    private static final long RETRY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final RegistryState state = new RegistryState();
    private final SchemasTopicCodec codec = new SchemasTopicCodec();
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final Duration timeout;

    private KafkaSchemaStore(KafkaProducer<byte[], byte[]> producer, String topic, Duration timeout) {
        this.producer = producer;
        this.topic = topic;
        this.timeout = timeout;
    }

    /** Ensures the topic exists, replays it to its end, and returns a store ready to serve. */
    public static KafkaSchemaStore open(RegistryConfig config) {
        long startedAt = System.nanoTime();
        ensureTopic(config);
        Map<String, Object> producerProps = ProducerSettings.idempotentInOrder(config.kafkaClient().with(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers())));
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.kafkaTimeout().toMillis());
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) config.kafkaTimeout().toMillis());
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) config.kafkaTimeout().toMillis());
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "streamtune-registry");
        KafkaSchemaStore store = new KafkaSchemaStore(
                new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer()),
                config.topic(), config.kafkaTimeout());
        try {
            int applied = store.replay(config);
            LOG.info("Schema store replayed {} records of {} in {} ms: {} subjects, next id {}", applied,
                    config.topic(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt),
                    store.state.subjects().size(), store.state.nextId());
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    @Override
    public RegistryState state() {
        return state;
    }

    @Override
    public void append(RegistryRecord record) {
        SchemasTopicCodec.Encoded encoded = codec.encode(record);
        try {
            producer.send(new ProducerRecord<>(topic, 0, encoded.key(), encoded.value()))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw RegistryErrors.storeError("Cannot store the change in Kafka topic " + topic + ": "
                    + (e instanceof ExecutionException ? e.getCause() : "no acknowledgement within " + timeout), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryErrors.storeError("Interrupted while storing the change in " + topic, e);
        }
        state.apply(record);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    private int replay(RegistryConfig config) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        config.kafkaClient().applyTo(props);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamtune-registry-replay");
        TopicPartition partition = new TopicPartition(topic, 0);
        int applied = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (ConsumerRecord<byte[], byte[]> record : TopicReader.readToEnd(consumer, List.of(partition), timeout)) {
                try {
                    Optional<RegistryRecord> decoded = codec.decode(record.key(), record.value());
                    if (decoded.isPresent()) {
                        state.apply(decoded.get());
                        applied++;
                    }
                } catch (IllegalArgumentException e) {
                    LOG.warn("Skipping record at {}-{} offset {}: {}", topic, 0, record.offset(), e.getMessage());
                }
            }
        }
        return applied;
    }

    /**
     * Creates the topic as declared ({@link TopicDeclaration#schemasTopic}: one partition, compacted, kept
     * forever) if missing; refuses one with several partitions.
     */
    private static void ensureTopic(RegistryConfig config) {
        long timeoutMs = config.kafkaTimeout().toMillis();
        Map<String, Object> props = config.kafkaClient().with(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.bootstrapServers(), AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs));
        try (Admin admin = Admin.create(props)) {
            TopicProvisioner.create(admin, List.of(TopicDeclaration.schemasTopic(config.topic())), config.kafkaTimeout());
            TopicDescription description = describeOnceVisible(admin, config.topic(), timeoutMs);
            if (description.partitions().size() != 1) {
                throw new IllegalStateException("Schemas topic " + config.topic() + " has "
                        + description.partitions().size() + " partitions; it must have exactly 1 to keep order");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot reach Kafka at " + config.bootstrapServers()
                    + " to prepare schemas topic " + config.topic() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while preparing schemas topic " + config.topic(), e);
        }
    }

    /**
     * Describes a topic, retrying while the broker answers with a retriable error: right after a
     * broker starts or the topic is created, its metadata may not have reached the broker yet
     * ("This server does not host this topic-partition").
     */
    private static TopicDescription describeOnceVisible(Admin admin, String topic, long timeoutMs)
            throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get(Math.max(1, left), TimeUnit.MILLISECONDS)
                        .get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() + RETRY_PAUSE_NANOS > deadline) {
                    throw e;
                }
                TimeUnit.NANOSECONDS.sleep(RETRY_PAUSE_NANOS);
            }
        }
    }
}
