package dev.streamtune.trainer.service;

import dev.streamtune.avro.OffsetRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Per partition of the features topic: where this trainer's learning began ({@code first}), the
 * next offset as of the last published version ({@code published}), and the next offset after
 * the last record it handled ({@code position}). A version's new-data ranges are
 * {@code [published, position)}; its cumulative ranges are {@code [first, position)}.
 *
 * <p>A checkpoint keeps the positions as its next offsets and the firsts in its {@link PublishPoint}.
 */
final class OffsetLedger {
    private static final java.util.Comparator<TopicPartition> ORDER = PublishPoint.PARTITION_ORDER;
    private final Map<TopicPartition, long[]> partitions = new TreeMap<>(ORDER);

    private static final int FIRST = 0;
    private static final int PUBLISHED = 1;
    private static final int POSITION = 2;

    /** Starts tracking {@code partition} from {@code offset} (nothing learned from it yet). */
    void track(TopicPartition partition, long offset) {
        partitions.put(partition, new long[] {offset, offset, offset});
    }

    void restore(TopicPartition partition, long first, long position) {
        partitions.put(partition, new long[] {first, position, position});
    }

    boolean tracks(TopicPartition partition) {
        return partitions.containsKey(partition);
    }

    void handled(TopicPartition partition, long offset) {
        long[] entry = partitions.get(partition);
        if (offset < entry[POSITION]) {
            throw new IllegalStateException("offset " + offset + " of " + partition + " handled twice (position "
                    + entry[POSITION] + ")");
        }
        entry[POSITION] = offset + 1;
    }

    /** Where learning from {@code partition} began. */
    long first(TopicPartition partition) {
        return partitions.get(partition)[FIRST];
    }

    long position(TopicPartition partition) {
        return partitions.get(partition)[POSITION];
    }

    /** Called once a version covering everything up to the current positions is published. */
    void published() {
        for (long[] entry : partitions.values()) {
            entry[PUBLISHED] = entry[POSITION];
        }
    }

    /** New data since the last published version, non-empty ranges only, in partition order. */
    List<OffsetRange> newRanges() {
        return ranges(PUBLISHED);
    }

    List<OffsetRange> cumulativeRanges() {
        return ranges(FIRST);
    }

    private List<OffsetRange> ranges(int fromIndex) {
        List<OffsetRange> ranges = new ArrayList<>();
        partitions.forEach((partition, entry) -> {
            if (entry[POSITION] > entry[fromIndex]) {
                ranges.add(new OffsetRange(partition.topic(), partition.partition(), entry[fromIndex], entry[POSITION]));
            }
        });
        return ranges;
    }

    /** The next offset per partition, as {@code topic:partition} keys: what a checkpoint seeks to. */
    Map<String, Long> positions() {
        Map<String, Long> positions = new TreeMap<>();
        partitions.forEach((partition, entry) -> positions.put(key(partition), entry[POSITION]));
        return positions;
    }

    Map<TopicPartition, Long> positionsByPartition() {
        Map<TopicPartition, Long> positions = new TreeMap<>(ORDER);
        partitions.forEach((partition, entry) -> positions.put(partition, entry[POSITION]));
        return positions;
    }

    /** Per partition, where learning began. */
    Map<TopicPartition, Long> firsts() {
        Map<TopicPartition, Long> firsts = new TreeMap<>(ORDER);
        partitions.forEach((partition, entry) -> firsts.put(partition, entry[FIRST]));
        return firsts;
    }

    static String key(TopicPartition partition) {
        return PublishPoint.key(partition);
    }
}
