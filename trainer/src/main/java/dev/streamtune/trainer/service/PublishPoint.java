package dev.streamtune.trainer.service;

import dev.streamtune.avro.OffsetRange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * What one publish point decided, recorded in the checkpoint next to the trainer's tensors so that
 * a restart that finds it unpublished publishes exactly this version: its number, its parent, the
 * new-data offset ranges it covers, where learning began per partition (the cumulative ranges run
 * from there to the checkpoint's positions), the training figures and, for ATTEMPT, the source
 * versions it mixed.
 *
 * <p>On disk it is the checkpoint's annotations ({@link #toAnnotations}, {@link #fromAnnotations}):
 * the {@code service.*} keys and their string formats are the checkpoint format of every
 * trainer since the first, so this record is their one reader and writer.
 *
 * @param version the version number this point publishes
 * @param parentVersion the version it continues from, 0 for none
 * @param newRanges the offsets learned since the parent was published, non-empty ranges in partition order
 * @param firsts per partition, the offset where learning began
 * @param trainLoss mean loss of the steps since the parent (NaN when none)
 * @param lastLoss loss of the last step
 * @param wallTimeMs time since the parent was published
 * @param createdAt when the point was made
 * @param newExamples train examples learned since the parent
 * @param sourceVersions ATTEMPT: the promoted source versions it was trained with, per task, in order; empty otherwise
 */
record PublishPoint(long version, long parentVersion, List<OffsetRange> newRanges, Map<TopicPartition, Long> firsts,
        double trainLoss, double lastLoss, long wallTimeMs, Instant createdAt, long newExamples,
        Map<String, Long> sourceVersions) {

    static final String VERSION = "service.version";
    static final String PARENT = "service.parentVersion";
    static final String RANGES = "service.offsetRanges";
    static final String FIRSTS = "service.cumulativeFrom";
    static final String TRAIN_LOSS = "service.trainLoss";
    static final String LAST_LOSS = "service.lastLoss";
    static final String WALL_MS = "service.wallTimeMs";
    static final String CREATED_AT = "service.createdAt";
    static final String NEW_EXAMPLES = "service.newExamples";
    /** ATTEMPT: the source versions ({@code task=version,...}) a checkpoint was trained with. */
    static final String SOURCES = "service.sourceVersions";

    static final Comparator<TopicPartition> PARTITION_ORDER = Comparator.comparing(TopicPartition::topic)
            .thenComparingInt(TopicPartition::partition);

    PublishPoint {
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
        if (parentVersion < 0 || parentVersion >= version) {
            throw new IllegalArgumentException("parentVersion must be in [0, " + version + "), got " + parentVersion);
        }
        newRanges = List.copyOf(newRanges);
        Map<TopicPartition, Long> sorted = new TreeMap<>(PARTITION_ORDER);
        sorted.putAll(firsts);
        firsts = java.util.Collections.unmodifiableMap(sorted);
        Objects.requireNonNull(createdAt, "createdAt");
        if (newExamples < 0 || wallTimeMs < 0) {
            throw new IllegalArgumentException("newExamples and wallTimeMs must be >= 0, got " + newExamples + " and "
                    + wallTimeMs);
        }
        sourceVersions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sourceVersions));
    }

    /** The cumulative ranges: from {@link #firsts} to {@code positions} (the checkpoint's next offsets). */
    List<OffsetRange> cumulativeRanges(Map<TopicPartition, Long> positions) {
        List<OffsetRange> ranges = new ArrayList<>();
        firsts.forEach((partition, first) -> {
            long until = positions.getOrDefault(partition, first);
            if (until > first) {
                ranges.add(new OffsetRange(partition.topic(), partition.partition(), first, until));
            }
        });
        return ranges;
    }

    /** New examples per second of wall time since the parent. */
    double examplesPerSecond() {
        return wallTimeMs > 0 ? newExamples * 1000.0 / wallTimeMs : 0;
    }

    /** {@code fortune@v3,wordnet@v2}: the source versions as a version's hyperparameters name them. */
    String sourceNames() {
        List<String> names = new ArrayList<>();
        sourceVersions.forEach((task, v) -> names.add(task + "@v" + v));
        return String.join(",", names);
    }

    /** The checkpoint annotations of this point. */
    Map<String, String> toAnnotations() {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(VERSION, Long.toString(version));
        annotations.put(PARENT, parentVersion == 0 ? "" : Long.toString(parentVersion));
        annotations.put(RANGES, encodeRanges(newRanges));
        annotations.put(FIRSTS, encodeOffsets(firsts));
        annotations.put(TRAIN_LOSS, Double.toString(trainLoss));
        annotations.put(LAST_LOSS, Double.toString(lastLoss));
        annotations.put(WALL_MS, Long.toString(wallTimeMs));
        annotations.put(CREATED_AT, Long.toString(createdAt.toEpochMilli()));
        annotations.put(NEW_EXAMPLES, Long.toString(newExamples));
        if (!sourceVersions.isEmpty()) {
            List<String> parts = new ArrayList<>();
            sourceVersions.forEach((task, v) -> parts.add(task + "=" + v));
            annotations.put(SOURCES, String.join(",", parts));
        }
        return annotations;
    }

    /**
     * The point a checkpoint's annotations record, or null for a checkpoint without one (written
     * outside the service). A malformed annotation throws naming its key.
     */
    static PublishPoint fromAnnotations(Map<String, String> annotations) {
        String version = annotations.get(VERSION);
        if (version == null || version.isEmpty()) {
            return null;
        }
        String parent = annotations.getOrDefault(PARENT, "");
        return new PublishPoint(longOf(annotations, VERSION), parent.isEmpty() ? 0 : longOf(annotations, PARENT),
                decodeRanges(annotations.get(RANGES)), decodeOffsets(annotations.get(FIRSTS)),
                doubleOf(annotations, TRAIN_LOSS), doubleOf(annotations, LAST_LOSS), longOf(annotations, WALL_MS),
                Instant.ofEpochMilli(longOf(annotations, CREATED_AT)), longOf(annotations, NEW_EXAMPLES),
                decodeSources(annotations.get(SOURCES)));
    }

    /** The ATTEMPT source versions a checkpoint's annotations pin; empty when none. */
    static Map<String, Long> sourceVersionsOf(Map<String, String> annotations) {
        return decodeSources(annotations.get(SOURCES));
    }

    private static long longOf(Map<String, String> annotations, String key) {
        String value = annotations.get(key);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint annotation '" + key + "' must be a whole number, got '"
                    + value + "'", e);
        }
    }

    private static double doubleOf(Map<String, String> annotations, String key) {
        String value = annotations.get(key);
        try {
            return value == null ? Double.NaN : Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint annotation '" + key + "' must be a number, got '" + value
                    + "'", e);
        }
    }

    /** {@code topic:partition:from:until;...} (Kafka topic names cannot contain ':' or ';'). */
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
                throw new IllegalArgumentException("checkpoint annotation '" + RANGES
                        + "': offset range must be topic:partition:from:until, got '" + item + "'");
            }
            ranges.add(new OffsetRange(parts[0], Integer.parseInt(parts[1]), Long.parseLong(parts[2]),
                    Long.parseLong(parts[3])));
        }
        return ranges;
    }

    /** {@code topic:partition:offset;...}. */
    static String encodeOffsets(Map<TopicPartition, Long> offsets) {
        StringBuilder out = new StringBuilder();
        offsets.forEach((partition, offset) -> out.append(out.isEmpty() ? "" : ";").append(key(partition))
                .append(':').append(offset));
        return out.toString();
    }

    static Map<TopicPartition, Long> decodeOffsets(String encoded) {
        Map<TopicPartition, Long> offsets = new TreeMap<>(PARTITION_ORDER);
        if (encoded == null || encoded.isEmpty()) {
            return offsets;
        }
        for (String item : encoded.split(";")) {
            String[] parts = item.split(":");
            if (parts.length != 3) {
                throw new IllegalArgumentException("checkpoint annotation '" + FIRSTS
                        + "': offset entry must be topic:partition:offset, got '" + item + "'");
            }
            offsets.put(new TopicPartition(parts[0], Integer.parseInt(parts[1])), Long.parseLong(parts[2]));
        }
        return offsets;
    }

    private static Map<String, Long> decodeSources(String encoded) {
        Map<String, Long> pinned = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return pinned;
        }
        for (String part : encoded.split(",")) {
            int eq = part.lastIndexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("checkpoint annotation '" + SOURCES
                        + "' must be task=version,..., got '" + encoded + "'");
            }
            pinned.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
        }
        return pinned;
    }

    /** {@code topic:partition}: how a checkpoint keys its next offsets. */
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
