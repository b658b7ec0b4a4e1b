package dev.streamtune.ingest;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a valid example may look like.
 *
 * @param maxIdChars        longest example id, in characters (default 128)
 * @param maxTextChars      longest text after NFC normalization and trimming, in Unicode code
 *                          points (default 20,000)
 * @param maxTextBytes      longest text, in UTF-8 bytes (default 64 KiB); guards against texts
 *                          within the character limit that are still huge, e.g. all 4-byte emoji
 * @param maxEventTimeAhead how far past the processing wall clock an event time may be (default 1 day)
 * @param earliestEventTime the earliest event time accepted (default 2000-01-01T00:00:00Z)
 */
public record IngestLimits(
        int maxIdChars,
        int maxTextChars,
        int maxTextBytes,
        Duration maxEventTimeAhead,
        Instant earliestEventTime) {

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
    }

    public static IngestLimits defaults() {
        return new IngestLimits(128, 20_000, 64 * 1024, Duration.ofDays(1), Instant.parse("2000-01-01T00:00:00Z"));
    }
}
