package dev.streamtune.ingest;

/**
 * Why ingest sent a record to the dead-letter topic. The name is the stable code written to the
 * {@code streamtune.dlq.reason} header; operators and alerts key on it, so codes are only added,
 * never renamed.
 */
public enum RejectReason {
    /** The value is null (a tombstone): there is nothing to decode. */
    NULL_VALUE,
    /** Shorter than the 5-byte Confluent header (magic byte + schema id). */
    TRUNCATED,
    /** The first byte is not the Confluent magic byte 0. */
    BAD_MAGIC_BYTE,
    /** The schema id in the header is not known to the registry. */
    UNKNOWN_SCHEMA_ID,
    /** The header is fine but the Avro payload does not decode with that schema. */
    UNDECODABLE,
    MISSING_ID,
    ID_TOO_LONG,
    MISSING_TASK,
    /** The task is not declared on the tasks topic and the policy is to reject such tasks. */
    UNKNOWN_TASK,
    /** The text is missing, or empty after trimming. */
    EMPTY_TEXT,
    /** The text is over the character or the UTF-8 byte limit. */
    TEXT_TOO_LONG,
    MISSING_LABEL,
    /** The label is not in the label set of a task whose set is closed. */
    UNKNOWN_LABEL,
    /** The weight is NaN, infinite, zero or negative. */
    BAD_WEIGHT,
    /** The event time is before the earliest allowed instant or too far in the future. */
    BAD_EVENT_TIME,
    /** The label is over the character limit. */
    LABEL_TOO_LONG,
    /** The label is new to an open task that already has as many labels as the limit allows. */
    TOO_MANY_LABELS,
    /** The metadata has more entries, or more bytes of keys and values, than the limit. */
    METADATA_TOO_LARGE
}
