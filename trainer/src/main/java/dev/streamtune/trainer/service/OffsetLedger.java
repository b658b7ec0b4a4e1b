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
 * <p>Saved in checkpoint annotations as {@code topic:partition:offset;...} (Kafka topic names
 * cannot contain ':' or ';').
 */
final class OffsetLedger {
    private static final java.util.Comparator<TopicPartition> ORDER = java.util.Comparator
            .comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);
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

    String encodeFirsts() {
        StringBuilder out = new StringBuilder();
        partitions.forEach((partition, entry) -> out.append(out.isEmpty() ? "" : ";").append(key(partition))
                .append(':').append(entry[FIRST]));
        return out.toString();
    }

    static Map<TopicPartition, Long> decodeFirsts(String encoded) {
        Map<TopicPartition, Long> firsts = new TreeMap<>(ORDER);
        if (encoded == null || encoded.isEmpty()) {
            return firsts;
        }
        for (String item : encoded.split(";")) {
            String[] parts = item.split(":");
            if (parts.length != 3) {
                throw new IllegalArgumentException("offset entry must be topic:partition:offset, got '" + item + "'");
            }
            firsts.put(new TopicPartition(parts[0], Integer.parseInt(parts[1])), Long.parseLong(parts[2]));
        }
        return firsts;
    }

    static String encodeRanges(List<OffsetRange> ranges) {
        StringBuilder out = new StringBuilder();
        for (OffsetRange range : ranges) {
            out.append(out.isEmpty() ? "" : ";").append(range.getTopic()).append(':').append(range.getPartition())
                    .append(':').append(range.getFromOffset()).append(':').append(range.getUntilOffset());
        }
        return out.toString();
    }

    static List<OffsetRange> decodeRanges(String encoded) {
        List<OffsetRange> ranges = new ArrayList<>();
        if (encoded == null || encoded.isEmpty()) {
            return ranges;
        }
        for (String item : encoded.split(";")) {
            String[] parts = item.split(":");
            if (parts.length != 4) {
                throw new IllegalArgumentException("offset range must be topic:partition:from:until, got '" + item + "'");
            }
            ranges.add(new OffsetRange(parts[0], Integer.parseInt(parts[1]), Long.parseLong(parts[2]),
                    Long.parseLong(parts[3])));
        }
        return ranges;
    }

    static String key(TopicPartition partition) {
        return partition.topic() + ":" + partition.partition();
    }

    static TopicPartition parseKey(String key) {
        int colon = key.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("checkpoint offset key must be topic:partition, got '" + key + "'");
        }
        return new TopicPartition(key.substring(0, colon), Integer.parseInt(key.substring(colon + 1)));
    }
}
