package dev.streamtune.schemas;

/**
 * Header names on records of the dead-letter topic. The record keeps its original key, value and
 * headers; these are added so that an operator can see why and where it was rejected.
 */
public final class DeadLetterHeaders {
    /** A stable machine-readable reason code, e.g. {@code TEXT_TOO_LONG} (see the ingest module's RejectReason). */
    public static final String REASON = "streamtune.dlq.reason";
    /** A human-readable message naming the field and the limit. */
    public static final String MESSAGE = "streamtune.dlq.message";
    public static final String SOURCE_TOPIC = "streamtune.dlq.topic";
    public static final String SOURCE_PARTITION = "streamtune.dlq.partition";
    public static final String SOURCE_OFFSET = "streamtune.dlq.offset";
    /** Which service rejected it. */
    public static final String SERVICE = "streamtune.dlq.service";

    private DeadLetterHeaders() {}
}
