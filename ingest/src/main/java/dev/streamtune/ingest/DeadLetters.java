package dev.streamtune.ingest;

import dev.streamtune.schemas.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/** The headers of a dead-lettered record: its own, plus why, where and by whom it was rejected. */
final class DeadLetters {
    private DeadLetters() {}

    static Headers headers(Headers original, RejectReason reason, String message, String topic, int partition,
            long offset, String service) {
        Headers headers = LabelRequests.stripped(original);
        put(headers, DeadLetterHeaders.REASON, reason.name());
        put(headers, DeadLetterHeaders.MESSAGE, message);
        put(headers, DeadLetterHeaders.SOURCE_TOPIC, topic);
        put(headers, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(partition));
        put(headers, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(offset));
        put(headers, DeadLetterHeaders.SERVICE, service);
        return headers;
    }

    /** Replaces rather than appends, so a record replayed from the DLQ carries one current reason. */
    private static void put(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
