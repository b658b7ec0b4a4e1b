package dev.streamtune.ingest;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a valid example may look like, and how far one producer may grow an open task.
 *
 * @param maxIdChars         longest example id, in characters (default 128)
 * @param maxTextChars       longest text after NFC normalization and trimming, in Unicode code
 *                           points (default 20,000)
 * @param maxTextBytes       longest text, in UTF-8 bytes (default 64 KiB); guards against texts
 *                           within the character limit that are still huge, e.g. all 4-byte emoji
 * @param maxEventTimeAhead  how far past the processing wall clock an event time may be (default 1 day)
 * @param earliestEventTime  the earliest event time accepted (default 2000-01-01T00:00:00Z)
 * @param maxLabelChars      longest label after NFC normalization and trimming, in Unicode code
 *                           points, in [1, 1024] (default 128)
 * @param maxLabelsPerTask   the most labels an open task may grow to, in [2, 100,000] (default
 *                           1,000): an example that would add one more is rejected. Every label
 *                           costs each trainer and the evaluator a class (the evaluator refuses
 *                           tasks over its own limit, by default the same 1,000), so this is what
 *                           stops one producer from exhausting them with distinct labels
 * @param maxMetadataEntries the most metadata entries an example may carry, in [0, 10,000] (default 64)
 * @param maxMetadataBytes   the most UTF-8 bytes of metadata keys and values together, in
 *                           [0, 16 MiB] (default 16 KiB)
 */
public record IngestLimits(
        int maxIdChars,
        int maxTextChars,
        int maxTextBytes,
        Duration maxEventTimeAhead,
        Instant earliestEventTime,
        int maxLabelChars,
        int maxLabelsPerTask,
        int maxMetadataEntries,
        int maxMetadataBytes) {

    public static final int DEFAULT_MAX_LABEL_CHARS = 128;
    public static final int DEFAULT_MAX_LABELS_PER_TASK = 1_000;
    public static final int DEFAULT_MAX_METADATA_ENTRIES = 64;
    public static final int DEFAULT_MAX_METADATA_BYTES = 16 * 1024;
    /**
     * The most bytes a full task's labels may take (4 UTF-8 bytes per character at worst): the
     * TaskSpec ingest publishes for it must stay well under Kafka's default 1 MB message limit.
     */
    public static final long MAX_LABEL_SET_BYTES = 900 * 1024;

    public IngestLimits {
        Objects.requireNonNull(maxEventTimeAhead, "maxEventTimeAhead");
        Objects.requireNonNull(earliestEventTime, "earliestEventTime");
        if (maxIdChars < 1 || maxIdChars > 4096) {
            throw new IllegalArgumentException("maxIdChars must be in [1, 4096], got " + maxIdChars);
        }
        if (maxTextChars < 1) {
            throw new IllegalArgumentException("maxTextChars must be >= 1, got " + maxTextChars);
        }
        if (maxTextBytes < 1 || maxTextBytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("maxTextBytes must be in [1, 16 MiB], got " + maxTextBytes);
        }
        if (maxEventTimeAhead.isNegative()) {
            throw new IllegalArgumentException("maxEventTimeAhead must be >= 0, got " + maxEventTimeAhead);
        }
        if (maxLabelChars < 1 || maxLabelChars > 1024) {
            throw new IllegalArgumentException("maxLabelChars must be in [1, 1024], got " + maxLabelChars);
        }
        if (maxLabelsPerTask < 2 || maxLabelsPerTask > 100_000) {
            throw new IllegalArgumentException("maxLabelsPerTask must be in [2, 100000], got " + maxLabelsPerTask);
        }
        if ((long) maxLabelsPerTask * maxLabelChars * 4 > MAX_LABEL_SET_BYTES) {
            throw new IllegalArgumentException("maxLabelsPerTask (" + maxLabelsPerTask + ") times maxLabelChars ("
                    + maxLabelChars + ") times 4 bytes must be at most " + MAX_LABEL_SET_BYTES
                    + ", so that a full task's TaskSpec fits in a Kafka message; lower one of them");
        }
        if (maxMetadataEntries < 0 || maxMetadataEntries > 10_000) {
            throw new IllegalArgumentException("maxMetadataEntries must be in [0, 10000], got " + maxMetadataEntries);
        }
        if (maxMetadataBytes < 0 || maxMetadataBytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("maxMetadataBytes must be in [0, 16 MiB], got " + maxMetadataBytes);
        }
    }

    /** The first five limits as given, the label and metadata limits at their defaults. */
    public IngestLimits(int maxIdChars, int maxTextChars, int maxTextBytes, Duration maxEventTimeAhead,
            Instant earliestEventTime) {
        this(maxIdChars, maxTextChars, maxTextBytes, maxEventTimeAhead, earliestEventTime, DEFAULT_MAX_LABEL_CHARS,
                DEFAULT_MAX_LABELS_PER_TASK, DEFAULT_MAX_METADATA_ENTRIES, DEFAULT_MAX_METADATA_BYTES);
    }

    public static IngestLimits defaults() {
        return new IngestLimits(128, 20_000, 64 * 1024, Duration.ofDays(1), Instant.parse("2000-01-01T00:00:00Z"));
    }

    /** These limits with another label length and labels-per-task limit. */
    public IngestLimits withLabels(int newMaxLabelChars, int newMaxLabelsPerTask) {
        return new IngestLimits(maxIdChars, maxTextChars, maxTextBytes, maxEventTimeAhead, earliestEventTime,
                newMaxLabelChars, newMaxLabelsPerTask, maxMetadataEntries, maxMetadataBytes);
    }

    /** These limits with other metadata limits. */
    public IngestLimits withMetadata(int newMaxEntries, int newMaxBytes) {
        return new IngestLimits(maxIdChars, maxTextChars, maxTextBytes, maxEventTimeAhead, earliestEventTime,
                maxLabelChars, maxLabelsPerTask, newMaxEntries, newMaxBytes);
    }
}
