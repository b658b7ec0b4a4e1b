package dev.streamtune.trainer.service;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads bounded offset ranges of assigned partitions once: each partition from its {@code from} offset (or the
 * log's beginning, where retention has deleted more) up to, not including, its {@code until} offset. Partitions
 * are paused as they finish and all resumed at the end; the caller seeks wherever it continues from.
 */
final class RangeReader {
    private RangeReader() {
    }

    /** @return the records handed to {@code sink} */
    static long read(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
            Map<TopicPartition, Long> from,
            Map<TopicPartition, Long> until, Duration poll, BooleanSupplier stopping,
            Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        Map<TopicPartition, Long> begins = consumer.beginningOffsets(until.keySet());
        Map<TopicPartition, Long> remaining = new LinkedHashMap<>();
        for (Map.Entry<TopicPartition, Long> entry : until.entrySet()) {
            long start = Math.max(from.getOrDefault(entry.getKey(), 0L), begins.get(entry.getKey()));
            consumer.seek(entry.getKey(), start);
            if (start < entry.getValue()) {
                remaining.put(entry.getKey(), entry.getValue());
            }
        }
        consumer.pause(consumer.assignment().stream().filter(p -> !remaining.containsKey(p)).toList());
        long read = 0;
        while (!remaining.isEmpty() && !stopping.getAsBoolean()) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(poll)) {
                Long end = remaining.get(new TopicPartition(record.topic(), record.partition()));
                if (end != null && record.offset() < end) {
                    read++;
                    sink.accept(record);
                }
            }
            for (TopicPartition partition : List.copyOf(remaining.keySet())) {
                if (consumer.position(partition) >= remaining.get(partition)) {
                    remaining.remove(partition);
                    consumer.pause(List.of(partition));
                }
            }
        }
        consumer.resume(consumer.assignment());
        return read;
    }
}
