package dev.streamtune.ingest;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers a {@link GateOutcome.LabelRequest} carries from the gate to the task registry, so
 * that the registry can dead-letter the record as the gate would have: with its original key and
 * the coordinates it was read at. They never leave ingest: the gate drops a producer's own copies,
 * and the registry removes them before it forwards anything.
 */
final class LabelRequests {
    /** The original record key; absent when the key was null. */
    static final String KEY = "streamtune.ingest.request.key";
    /** {@code partition:offset:topic} of the raw record (topic names cannot hold ':'). */
    static final String SOURCE = "streamtune.ingest.request.source";

    /** Where the raw record was read, and its key. */
    record Origin(byte[] key, String topic, int partition, long offset) {}

    private LabelRequests() {}

    /** {@code headers} without any request header, as every output of ingest must be. */
    static Headers stripped(Headers headers) {
        Headers copy = new RecordHeaders(headers.toArray());
        copy.remove(KEY);
        copy.remove(SOURCE);
        return copy;
    }

    /** The headers of a request: the record's own (stripped) plus its origin. */
    static Headers withOrigin(Headers headers, Origin origin) {
        Headers out = stripped(headers);
        if (origin.key() != null) {
            out.add(KEY, origin.key());
        }
        out.add(SOURCE, (origin.partition() + ":" + origin.offset() + ":" + origin.topic())
                .getBytes(StandardCharsets.UTF_8));
        return out;
    }

    /** The origin the gate wrote; unknown coordinates (-1, "unknown") when the header is missing or garbled. */
    static Origin origin(Headers headers) {
        Header key = headers.lastHeader(KEY);
        Header source = headers.lastHeader(SOURCE);
        byte[] rawKey = key == null ? null : key.value();
        if (source != null) {
            String[] parts = new String(source.value(), StandardCharsets.UTF_8).split(":", 3);
            if (parts.length == 3) {
                try {
                    return new Origin(rawKey, parts[2], Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
                } catch (NumberFormatException ignored) {
                    // fall through: only ingest writes this header, so this is not expected
                }
            }
        }
        return new Origin(rawKey, "unknown", -1, -1);
    }
}
