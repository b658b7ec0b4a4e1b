package dev.streamtune.evaluator.service;

import static org.awaitility.Awaitility.await;

import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.Split;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.testkit.KafkaTestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What the evaluator published, read back from the real broker by the integration tests. */
record TopicRecords(StreamtunePlatform platform, SchemaRegistryClient registry, Duration timeout) {

    /** Every committed record of a topic, read_committed, decoded with the registry. */
    <T> List<T> readAll(String topic, Class<T> type) {
        AvroDeserializer<T> deserializer = new AvroDeserializer<>(registry, platform.serdeConfig(), type);
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records(topic)) {
            out.add(deserializer.deserialize(topic, record.value()));
        }
        return out;
    }

    /** The reason header of every dead letter on {@code dlqTopic}, in order. */
    List<String> deadLetterReasons(String dlqTopic) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records(dlqTopic)) {
            org.apache.kafka.common.header.Header reason =
                    record.headers().lastHeader(dev.streamtune.schemas.DeadLetterHeaders.REASON);
            out.add(reason == null ? null : new String(reason.value(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Every committed record of a topic, read_committed, from the beginning to its current end. */
    private List<ConsumerRecord<String, byte[]>> records(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            return KafkaTestCluster.pollToEnd(consumer, end, timeout, "reading " + topic + " to its end");
        }
    }

    /** The latest EVALUATION event of each version on {@code split}. */
    Map<Long, MetricsEvent> evaluations(String metricsTopic, Split split) {
        Map<Long, MetricsEvent> byVersion = new HashMap<>();
        for (MetricsEvent e : readAll(metricsTopic, MetricsEvent.class)) {
            if (e.getKind() == MetricKind.EVALUATION && e.getSplit() == split) {
                byVersion.put(e.getVersion(), e);
            }
        }
        return byVersion;
    }

    List<MetricsEvent> prequential(String metricsTopic) {
        return readAll(metricsTopic, MetricsEvent.class).stream()
                .filter(e -> e.getKind() == MetricKind.PREQUENTIAL).toList();
    }

    void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        await(what).atMost(timeout).pollInterval(Duration.ofMillis(100)).until(condition::getAsBoolean);
    }
}
