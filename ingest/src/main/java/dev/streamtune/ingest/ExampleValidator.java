package dev.streamtune.ingest;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.TaskSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The rules a decoded example must pass, as a pure function: the same example, task view and clock
 * always give the same verdict. Checks run in a fixed order and the first failure is reported, so
 * a record with several problems always gets the same reason code.
 */
final class ExampleValidator {
    /** What validation decided. */
    sealed interface Verdict permits Accepted, Rejected {}

    /**
     * @param example       the example as it goes on: text and label normalized, weight and event
     *                      time filled in
     * @param labelProposal non-null when the task must be created or its open label set must grow:
     *                      an open TaskSpec with just this example's label
     */
    record Accepted(LabelledExample example, TaskSpec labelProposal) implements Verdict {}

    record Rejected(RejectReason reason, String message) implements Verdict {}

    private final IngestLimits limits;
    private final UnknownTaskPolicy unknownTaskPolicy;
    private final String tasksTopic;

    ExampleValidator(IngestLimits limits, UnknownTaskPolicy unknownTaskPolicy, String tasksTopic) {
        this.limits = limits;
        this.unknownTaskPolicy = unknownTaskPolicy;
        this.tasksTopic = tasksTopic;
    }

    /**
     * @param raw             the example as decoded
     * @param task            the task's current declaration, or null when it has none
     * @param recordTimestamp the Kafka record's timestamp, used as event time when the example has none
     * @param nowMs           processing wall-clock time, the reference for "too far in the future"
     */
    Verdict validate(LabelledExample raw, TaskSpec task, long recordTimestamp, long nowMs) {
        String id = raw.getId();
        if (id == null || id.isBlank()) {
            return new Rejected(RejectReason.MISSING_ID, "id is missing (null or blank); every example needs an id of 1 to "
                    + limits.maxIdChars() + " characters");
        }
        if (id.length() > limits.maxIdChars()) {
            return new Rejected(RejectReason.ID_TOO_LONG, "id has " + id.length() + " characters; the limit is "
                    + limits.maxIdChars());
        }
        String taskName = raw.getTask();
        if (taskName == null || taskName.isBlank()) {
            return new Rejected(RejectReason.MISSING_TASK, "task is missing (null or blank) for example '" + id + "'");
        }
        if (raw.getText() == null) {
            return new Rejected(RejectReason.EMPTY_TEXT, "text is missing (null); it must have 1 to "
                    + limits.maxTextChars() + " characters after trimming");
        }
        String text = TextNormalizer.normalize(raw.getText());
        if (text.isEmpty()) {
            return new Rejected(RejectReason.EMPTY_TEXT, "text is empty after trimming whitespace; it must have 1 to "
                    + limits.maxTextChars() + " characters");
        }
        int chars = text.codePointCount(0, text.length());
        if (chars > limits.maxTextChars()) {
            return new Rejected(RejectReason.TEXT_TOO_LONG, "text has " + chars
                    + " characters (Unicode code points, after NFC normalization and trimming); the limit is "
                    + limits.maxTextChars());
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxTextBytes()) {
            return new Rejected(RejectReason.TEXT_TOO_LONG, "text has " + bytes + " UTF-8 bytes; the limit is "
                    + limits.maxTextBytes() + " bytes");
        }
        String label = TextNormalizer.normalize(raw.getLabel());
        if (label == null || label.isEmpty()) {
            return new Rejected(RejectReason.MISSING_LABEL, "label is missing (null or blank) for example '" + id + "'");
        }
        int labelChars = label.codePointCount(0, label.length());
        if (labelChars > limits.maxLabelChars()) {
            return new Rejected(RejectReason.LABEL_TOO_LONG, "label has " + labelChars
                    + " characters (Unicode code points, after NFC normalization and trimming); the limit is "
                    + limits.maxLabelChars());
        }
        Double weight = raw.getWeight();
        if (weight != null && (!Double.isFinite(weight) || weight <= 0)) {
            return new Rejected(RejectReason.BAD_WEIGHT, "weight is " + weight + "; it must be finite and > 0");
        }
        Instant eventTime = raw.getEventTime();
        if (eventTime != null) {
            if (eventTime.isBefore(limits.earliestEventTime())) {
                return new Rejected(RejectReason.BAD_EVENT_TIME, "eventTime " + eventTime
                        + " is before the earliest allowed event time " + limits.earliestEventTime());
            }
            Instant latest = Instant.ofEpochMilli(nowMs).plus(limits.maxEventTimeAhead());
            if (eventTime.isAfter(latest)) {
                return new Rejected(RejectReason.BAD_EVENT_TIME, "eventTime " + eventTime + " is more than "
                        + limits.maxEventTimeAhead() + " ahead of the processing time " + Instant.ofEpochMilli(nowMs));
            }
        }
        Map<String, String> metadata = raw.getMetadata();
        if (metadata != null && metadata.size() > limits.maxMetadataEntries()) {
            return new Rejected(RejectReason.METADATA_TOO_LARGE, "metadata has " + metadata.size()
                    + " entries; the limit is " + limits.maxMetadataEntries());
        }
        long metadataBytes = metadata == null ? 0 : metadataBytes(metadata);
        if (metadataBytes > limits.maxMetadataBytes()) {
            return new Rejected(RejectReason.METADATA_TOO_LARGE, "metadata has " + metadataBytes
                    + " UTF-8 bytes of keys and values; the limit is " + limits.maxMetadataBytes() + " bytes");
        }

        TaskSpec proposal = null;
        if (task == null) {
            if (unknownTaskPolicy == UnknownTaskPolicy.REJECT) {
                return new Rejected(RejectReason.UNKNOWN_TASK, "task '" + taskName + "' is not declared on topic '"
                        + tasksTopic + "' and the unknown-task policy is REJECT");
            }
            proposal = openTaskWith(taskName, label, recordTimestamp);
        } else if (!task.getLabels().contains(label)) {
            if (task.getLabelSetClosed()) {
                return new Rejected(RejectReason.UNKNOWN_LABEL, "label '" + label + "' is not in the closed label set "
                        + listed(task.getLabels()) + " of task '" + taskName + "'");
            }
            if (task.getLabels().size() >= limits.maxLabelsPerTask()) {
                return new Rejected(RejectReason.TOO_MANY_LABELS, "label '" + label + "' would be label "
                        + (task.getLabels().size() + 1) + " of open task '" + taskName
                        + "'; the limit is maxLabelsPerTask " + limits.maxLabelsPerTask());
            }
            proposal = openTaskWith(taskName, label, recordTimestamp);
        }

        LabelledExample accepted = LabelledExample.newBuilder(raw)
                .setText(text)
                .setLabel(label)
                .setWeight(weight == null ? 1.0 : weight)
                .setEventTime(eventTime != null ? eventTime : Instant.ofEpochMilli(recordTimestamp))
                .build();
        return new Accepted(accepted, proposal);
    }

    /** The labels for a message: all of a small set, the first few of a large one (a header per rejection). */
    private static String listed(List<String> labels) {
        int shown = 20;
        if (labels.size() <= shown) {
            return labels.toString();
        }
        String head = labels.subList(0, shown).toString();
        return head.substring(0, head.length() - 1) + ", ... and " + (labels.size() - shown) + " more]";
    }

    /** UTF-8 bytes of every key and value, counted without encoding them. */
    static long metadataBytes(Map<String, String> metadata) {
        long bytes = 0;
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            bytes += utf8Length(entry.getKey()) + utf8Length(entry.getValue());
        }
        return bytes;
    }

    private static long utf8Length(CharSequence s) {
        if (s == null) {
            return 0;
        }
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3; // the rest of the BMP (UTF-8 decoding never yields a lone surrogate)
            }
        }
        return bytes;
    }

    private static TaskSpec openTaskWith(String task, String label, long timestamp) {
        return TaskSpec.newBuilder()
                .setTask(task)
                .setLabels(List.of(label))
                .setLabelSetClosed(false)
                .setDescription("auto-created by ingest")
                .setCreatedAt(Instant.ofEpochMilli(timestamp))
                .build();
    }
}
