package dev.streamtune.trainer.service;

import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.schemas.MetricNames;
import dev.streamtune.schemas.ProducerSettings;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Trainer status as MetricsEvents on the metrics topic, keyed by task. */
final class TrainerStatusTopic implements TaskTrainers.StatusSink {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerStatusTopic.class);

    private final String topic;
    private final KafkaProducer<String, byte[]> producer;
    private final AvroSerializer<MetricsEvent> serializer;

    TrainerStatusTopic(TaskTrainers.Config config) {
        this.topic = config.topics().metrics();
        this.serializer = new AvroSerializer<>(SchemaRegistryClients.create(config.serde()), config.serde(), false);
        this.producer = new KafkaProducer<>(ProducerSettings.idempotentInOrder(config.kafkaClient().with(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ProducerConfig.CLIENT_ID_CONFIG, "streamtune-trainers-status-" + ProcessHandle.current().pid()))),
                new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void report(String task, boolean running, boolean failed, Duration heartbeat) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put(MetricNames.TRAINER_RUNNING, running ? 1.0 : 0.0);
        values.put(MetricNames.TRAINER_FAILED, failed ? 1.0 : 0.0);
        values.put(MetricNames.TRAINER_HEARTBEAT_S, (double) heartbeat.toSeconds());
        MetricsEvent event = MetricsEvent.newBuilder().setTask(task).setKind(MetricKind.OTHER)
                .setSource(MetricNames.TRAINERS_SOURCE).setValues(values).setTimestamp(Instant.now()).build();
        try {
            producer.send(new ProducerRecord<>(topic, task, serializer.serialize(topic, event)), (m, e) -> {
                if (e != null) {
                    LOG.warn("could not report the trainer status of task '{}': {}", task, e.toString());
                }
            });
        } catch (RuntimeException e) {
            // the status is for people watching; training goes on without it
            LOG.warn("could not report the trainer status of task '{}': {}", task, e.toString());
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
