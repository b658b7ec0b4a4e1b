package dev.streamtune.schemas;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads partitions from their beginning to their end offsets as of the call: the one home of "read a
 * topic to its end" (task specs, the ledger of published versions, update history, the registry's
 * {@code _schemas}). Under {@code read_committed} the end is the last stable offset, so what is read
 * is exactly what was committed when the read began; records past that end are not handed on.
 * Services that replay and then keep following (the evaluator, the subscriber) do their own loop,
 * because they hand the first record past the end on instead of stopping.
 */
public final class TopicReader {
    private static final Duration POLL = Duration.ofMillis(100);

    private TopicReader() {
    }

    /** The partitions of {@code topic} in partition order; empty when it does not exist (yet). */
    public static List<TopicPartition> partitionsOf(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                                                    String topic, Duration timeout) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null) {
            return List.of();
        }
        return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition()))
                .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
    }

    /** {@link #readToEnd(org.apache.kafka.clients.consumer.Consumer, Collection, Duration, Consumer)} into a list. */
    public static <K, V> List<ConsumerRecord<K, V>> readToEnd(org.apache.kafka.clients.consumer.Consumer<K, V> consumer,
                                                              Collection<TopicPartition> partitions, Duration timeout) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        readToEnd(consumer, partitions, timeout, records::add);
        return records;
    }

    /**
     * Hands every record of {@code partitions}, from the beginning to the end offsets as of now, to
     * {@code sink} in poll order, and leaves the consumer with nothing assigned. Fails naming the
     * partitions and where it stopped when the end is not reached within {@code timeout}.
     */
    public static <K, V> void readToEnd(org.apache.kafka.clients.consumer.Consumer<K, V> consumer,
                                        Collection<TopicPartition> partitions, Duration timeout,
                                        Consumer<ConsumerRecord<K, V>> sink) {
        if (partitions.isEmpty()) {
            return;
        }
        List<TopicPartition> assigned = List.copyOf(partitions);
        consumer.assign(assigned);
        try {
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reachedEnd(consumer, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + assigned + " to its end " + ends
                            + " within " + timeout + "; stopped at " + positions(consumer, ends));
                }
                for (ConsumerRecord<K, V> record : consumer.poll(POLL)) {
                    Long end = ends.get(new TopicPartition(record.topic(), record.partition()));
                    if (end != null && record.offset() < end) {
                        sink.accept(record);
                    }
                }
            }
        } finally {
            consumer.assign(List.of());
        }
    }

    private static boolean reachedEnd(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                                      Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static String positions(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                                     Map<TopicPartition, Long> ends) {
        StringBuilder out = new StringBuilder("{");
        for (TopicPartition tp : ends.keySet()) {
            out.append(out.length() > 1 ? ", " : "").append(tp).append('=').append(consumer.position(tp));
        }
        return out.append('}').toString();
    }
}
