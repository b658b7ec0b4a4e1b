package dev.streamtune.dashboard;

import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.schemas.DeadLetterHeaders;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.RestSchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plays the services the dashboard listens to, against a real broker and registry: Confluent-framed
 * Avro on the metrics and updates topics (as the evaluator and trainer write them), dead letters
 * with their reason header (as ingest writes them), and a consumer group with committed offsets.
 */
final class Pipeline implements AutoCloseable {
    static final Topics TOPICS = Topics.defaults();
    static final String TRAINER_GROUP = "streamtune-trainer";

    private final StreamtunePlatform platform;
    private final KafkaProducer<String, byte[]> producer;
    private final AvroSerializer<SpecificRecord> serializer;

    Pipeline(StreamtunePlatform platform) throws Exception {
        this.platform = platform;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", platform.bootstrapServers()))) {
            admin.createTopics(List.of(
                    new NewTopic(TOPICS.metrics(), 1, (short) 1),
                    new NewTopic(TOPICS.updates(), 1, (short) 1),
                    new NewTopic(TOPICS.dlq(), 1, (short) 1),
                    new NewTopic(TOPICS.train(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
        this.serializer = new AvroSerializer<>(new RestSchemaRegistryClient(platform.registryUrl()),
                platform.serdeConfig(), false);
    }

    /** Sends a MetricsEvent or ModelUpdate, keyed by task, to its topic and waits for the ack. */
    void send(SpecificRecord record) throws Exception {
        String topic = record instanceof dev.streamtune.avro.ModelUpdate ? TOPICS.updates() : TOPICS.metrics();
        String task = String.valueOf(record.get(record.getSchema().getField("task").pos()));
        producer.send(new ProducerRecord<>(topic, task, serializer.serialize(topic, record))).get(30, TimeUnit.SECONDS);
    }

    void sendRaw(String topic, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, "x", value)).get(30, TimeUnit.SECONDS);
    }

    void deadLetter(String reason) throws Exception {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(TOPICS.dlq(), "example-1",
                "not avro at all".getBytes(StandardCharsets.UTF_8));
        record.headers().add(DeadLetterHeaders.REASON, reason.getBytes(StandardCharsets.UTF_8));
        record.headers().add(DeadLetterHeaders.SOURCE_TOPIC, TOPICS.raw().getBytes(StandardCharsets.UTF_8));
        producer.send(record).get(30, TimeUnit.SECONDS);
    }

    /** Puts {@code produced} records on the train topic and has the trainer group commit {@code committed}. */
    void trainerBehind(int produced, long committed) throws Exception {
        for (int i = 0; i < produced; i++) {
            sendRaw(TOPICS.train(), new byte[] {0});
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", platform.bootstrapServers()))) {
            admin.alterConsumerGroupOffsets(TRAINER_GROUP,
                    Map.of(new TopicPartition(TOPICS.train(), 0), new OffsetAndMetadata(committed)))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    KafkaProducer<String, byte[]> producer() {
        return producer;
    }

    AvroSerializer<SpecificRecord> serializer() {
        return serializer;
    }

    @Override
    public void close() {
        producer.close();
        serializer.close();
    }
}
