package dev.streamtune.evaluator.service;

import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.ProducerSettings;
import dev.streamtune.schemas.TopicReader;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import dev.streamtune.schemas.signing.SignatureRefusedException;
import dev.streamtune.schemas.signing.SigningKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Re-promotes an earlier version of a task: publishes a ROLLBACK {@code ModelUpdate} to the updates topic, which
 * subscribers apply like any update and the evaluator takes as its new champion. The version's full
 * {@code ModelVersion} is looked up in the updates topic's history first (it carries the metrics it was promoted
 * with), then in the candidates topic (compaction may have dropped the old update).
 */
public final class Rollback {
    /** Where to look and publish; {@code kafkaClient} holds the security settings of its Kafka clients. */
    public record Config(String bootstrapServers, String registryUrl, Topics topics, Duration timeout,
            KafkaClientProperties kafkaClient) {
        public Config {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers must be a non-blank string");
            }
            if (registryUrl == null || registryUrl.isBlank()) {
                throw new IllegalArgumentException("registryUrl must be a non-blank string");
            }
            Objects.requireNonNull(topics, "topics");
            if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("timeout must be in (0, 10 min], got " + timeout);
            }
            Objects.requireNonNull(kafkaClient, "kafkaClient (KafkaClientProperties.none() for PLAINTEXT)");
        }

        public static Config of(String bootstrapServers, String registryUrl) {
            return new Config(bootstrapServers, registryUrl, Topics.defaults(), Duration.ofSeconds(30),
                    KafkaClientProperties.none());
        }
    }

    private final Config config;
    private final Clock clock;
    private final SchemaRegistryClient registry;
    private final AvroSerdeConfig serde;

    private final SigningKey signer;

    /** @param signer the evaluator's key: subscribers serve only updates it signed, a rollback included */
    public Rollback(Config config, SigningKey signer) {
        this(config, Clock.systemUTC(), signer);
    }

    public Rollback(Config config, Clock clock, SigningKey signer) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.serde = AvroSerdeConfig.of(config.registryUrl());
        this.registry = SchemaRegistryClients.create(serde);
    }

    /**
     * Makes {@code version} the serving model of {@code task} again.
     *
     * @param note why (recorded in the update's reason after "rollback: ")
     * @return the published update
     * @throws IllegalArgumentException when the version is unknown, or is already the one serving
     */
    public ModelUpdate rollback(String task, long version, String note) {
        if (task == null || task.isBlank()) {
            throw new IllegalArgumentException("task must be a non-blank string");
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
        List<ModelUpdate> history = new ArrayList<>();
        AvroDeserializer<ModelUpdate> updates = new AvroDeserializer<>(registry, serde, ModelUpdate.class);
        readAll(config.topics().updates(), record -> {
            if (task.equals(record.key()) && record.value() != null) {
                ModelUpdate update = updates.deserialize(record.topic(), record.value());
                try {
                    // what the evaluator signed is history; a forgery on the topic is not a version to return to
                    signer.asTrusted().verify(update);
                    history.add(update);
                } catch (SignatureRefusedException forged) {
                    // skipped: subscribers refuse it too
                }
            }
        });
        history.removeIf(u -> !u.getTask().equals(task));
        Long current = history.isEmpty() ? null : history.get(history.size() - 1).getVersion();
        if (current != null && current == version) {
            throw new IllegalArgumentException("task '" + task + "' already serves version " + version);
        }
        ModelUpdate earlier = null;
        for (ModelUpdate update : history) {
            if (update.getVersion() == version) {
                earlier = update;
            }
        }
        ModelVersion model = earlier == null ? findCandidate(task, version) : earlier.getModel();
        if (model == null) {
            throw new IllegalArgumentException("task '" + task + "' has no version " + version + " in '"
                    + config.topics().updates() + "' or '" + config.topics().candidates() + "'");
        }
        String reason = "rollback: " + (note == null || note.isBlank() ? "requested by an operator" : note)
                + " (from version " + (current == null ? "none" : current) + " to " + version + ")";
        ModelUpdate update = ModelUpdate.newBuilder().setTask(task).setAction(UpdateAction.ROLLBACK).setVersion(version)
                .setPreviousVersion(current).setReason(reason).setModel(model)
                .setValidationMetrics(earlier == null ? Map.of() : earlier.getValidationMetrics())
                .setTestMetrics(earlier == null ? Map.of() : earlier.getTestMetrics())
                .setTimestamp(clock.instant()).build();
        update = signer.sign(update);
        publish(update);
        return update;
    }

    private ModelVersion findCandidate(String task, long version) {
        AvroDeserializer<ModelVersion> candidates = new AvroDeserializer<>(registry, serde, ModelVersion.class);
        ModelVersion[] found = new ModelVersion[1];
        readAll(config.topics().candidates(), record -> {
            if (record.value() == null || record.key() != null && !record.key().equals(task)) {
                return;
            }
            ModelVersion candidate = candidates.deserialize(record.topic(), record.value());
            if (candidate.getTask().equals(task) && candidate.getVersion() == version) {
                found[0] = candidate;
            }
        });
        return found[0];
    }

    private void publish(ModelUpdate update) {
        Map<String, Object> props = ProducerSettings.idempotentInOrder(config.kafkaClient().with(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers())));
        AvroSerializer<ModelUpdate> serializer = new AvroSerializer<>(registry, serde, false);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(config.topics().updates(), update.getTask(),
                    serializer.serialize(config.topics().updates(), update)))
                    .get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the rollback", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot publish the rollback to '" + config.topics().updates() + "': " + e, e);
        }
    }

    /** Reads a topic from the beginning to its end at the time of the call (read_committed). */
    private void readAll(String topic, Consumer<ConsumerRecord<String, byte[]>> sink) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        config.kafkaClient().applyTo(props);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicReader.readToEnd(consumer, TopicReader.partitionsOf(consumer, topic, config.timeout()), config.timeout(),
                    sink);
        }
    }
}
