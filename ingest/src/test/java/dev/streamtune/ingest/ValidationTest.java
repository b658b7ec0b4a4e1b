package dev.streamtune.ingest;

import static dev.streamtune.ingest.IngestHarness.NOW;
import static dev.streamtune.ingest.IngestHarness.example;
import static dev.streamtune.ingest.IngestHarness.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.schemas.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One test per validation rule: the record lands in the DLQ, byte for byte, with the reason. */
class ValidationTest {
    private IngestHarness ingest;

    @BeforeEach
    void setUp() {
        ingest = new IngestHarness();
        ingest.declare(IngestHarness.closedSpam());
    }

    @AfterEach
    void tearDown() {
        ingest.close();
    }

    /** Sends {@code bad} with a producer header, and checks it comes out of the DLQ only, intact. */
    private TestRecord<byte[], byte[]> assertDeadLettered(LabelledExample bad, RejectReason reason, String... messageParts) {
        byte[] key = "producer-key".getBytes(StandardCharsets.UTF_8);
        byte[] value = ingest.encode(bad);
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "abc-123".getBytes(StandardCharsets.UTF_8));
        ingest.sendBytes(key, value, headers, NOW);

        assertThat(ingest.drainSplits()).as("nothing reaches a split").isEmpty();
        List<TestRecord<byte[], byte[]>> dead = ingest.dlq.readRecordsToList();
        assertThat(dead).hasSize(1);
        TestRecord<byte[], byte[]> record = dead.get(0);
        assertThat(record.key()).as("original key").isEqualTo(key);
        assertThat(record.value()).as("original value bytes").isEqualTo(value);
        assertThat(header(record.headers(), "trace-id")).as("original header kept").isEqualTo("abc-123");
        assertThat(header(record.headers(), DeadLetterHeaders.REASON)).isEqualTo(reason.name());
        assertThat(header(record.headers(), DeadLetterHeaders.MESSAGE)).contains(messageParts);
        assertThat(header(record.headers(), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("examples.raw");
        assertThat(header(record.headers(), DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(header(record.headers(), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
        assertThat(header(record.headers(), DeadLetterHeaders.SERVICE)).isEqualTo("streamtune-ingest");
        assertThat(ingest.metrics.rejected(reason)).isEqualTo(1);
        assertThat(ingest.metrics.rejectedTotal()).isEqualTo(1);
        return record;
    }

    @Test
    void missingId() {
        assertDeadLettered(example(null).build(), RejectReason.MISSING_ID, "id is missing", "128");
    }

    @Test
    void blankIdIsMissing() {
        assertDeadLettered(example("   ").build(), RejectReason.MISSING_ID, "id is missing");
    }

    @Test
    void idTooLong() {
        assertDeadLettered(example("x".repeat(129)).build(), RejectReason.ID_TOO_LONG, "129 characters", "limit is 128");
    }

    @Test
    void idAtTheLimitIsAccepted() {
        ingest.send(example("x".repeat(128)).build());
        assertThat(ingest.drainSplits()).hasSize(1);
        assertThat(ingest.dlq.isEmpty()).isTrue();
    }

    @Test
    void missingTask() {
        assertDeadLettered(example("a1").setTask(null).build(), RejectReason.MISSING_TASK, "task is missing");
    }

    @Test
    void unknownTaskUnderTheRejectPolicy() {
        ingest.close();
        ingest = new IngestHarness(c -> c.withUnknownTaskPolicy(UnknownTaskPolicy.REJECT));
        assertDeadLettered(example("a1").setTask("sentiment").build(), RejectReason.UNKNOWN_TASK,
                "task 'sentiment'", "tasks", "REJECT");
        assertThat(ingest.tasksOut.isEmpty()).as("no task is created").isTrue();
    }

    @Test
    void missingText() {
        assertDeadLettered(example("a1").setText(null).build(), RejectReason.EMPTY_TEXT, "text is missing");
    }

    @Test
    void textEmptyAfterTrimming() {
        assertDeadLettered(example("a1").setText(" \t\n\u00a0\u2003\u200b\ufeff ").build(), RejectReason.EMPTY_TEXT,
                "text is empty after trimming");
    }

    @Test
    void textOverTheCharacterLimit() {
        assertDeadLettered(example("a1").setText("a".repeat(20_001)).build(), RejectReason.TEXT_TOO_LONG,
                "20001 characters", "limit is 20000");
    }

    @Test
    void textOverTheByteLimitThoughWithinTheCharacterLimit() {
        // 17,000 four-byte emoji: 17,000 code points (under 20,000) but 68,000 UTF-8 bytes (over 65,536)
        String emoji = "\uD83D\uDE00".repeat(17_000);
        assertDeadLettered(example("a1").setText(emoji).build(), RejectReason.TEXT_TOO_LONG,
                "68000 UTF-8 bytes", "limit is 65536");
    }

    @Test
    void textLimitsCountAfterTrimming() {
        ingest.send(example("a1").setText("   " + "a".repeat(20_000) + "   ").build());
        assertThat(ingest.drainSplits()).singleElement()
                .satisfies(r -> assertThat(r.value().getText()).hasSize(20_000));
    }

    @Test
    void missingLabel() {
        assertDeadLettered(example("a1").setLabel(null).build(), RejectReason.MISSING_LABEL, "label is missing");
    }

    @Test
    void labelOutsideAClosedSet() {
        assertDeadLettered(example("a1").setLabel("phishing").build(), RejectReason.UNKNOWN_LABEL,
                "label 'phishing'", "closed label set [ham, spam]", "task 'spam'");
        assertThat(ingest.tasksOut.isEmpty()).as("a closed task is never changed").isTrue();
    }

    @Test
    void aLargeClosedSetIsListedByItsFirstLabelsOnly() {
        List<String> labels = java.util.stream.IntStream.range(0, 25).mapToObj(i -> "l" + i).toList();
        ingest.declare(dev.streamtune.avro.TaskSpec.newBuilder().setTask("spam").setLabels(labels)
                .setLabelSetClosed(true).build());
        TestRecord<byte[], byte[]> dead = assertDeadLettered(example("a1").setLabel("other").build(),
                RejectReason.UNKNOWN_LABEL, "[l0, l1, ", "l19, ... and 5 more]");
        assertThat(header(dead.headers(), DeadLetterHeaders.MESSAGE)).doesNotContain("l20");
    }

    @Test
    void labelOverTheCharacterLimit() {
        // 129 code points, 258 UTF-16 units: the limit counts characters as a reader sees them
        assertDeadLettered(example("a1").setLabel("\uD83D\uDE00".repeat(129)).build(), RejectReason.LABEL_TOO_LONG,
                "label has 129 characters", "limit is 128");
    }

    @Test
    void labelAtTheLimitIsAcceptedAfterTrimming() {
        String label = "\u00e9".repeat(128);
        ingest.send(example("a1").setTask("open").setLabel("  " + label + "  ").build());
        assertThat(ingest.drainSplits()).singleElement()
                .satisfies(r -> assertThat(r.value().getLabel()).isEqualTo(label));
        assertThat(ingest.tasksOut.readValuesToList()).singleElement()
                .satisfies(spec -> assertThat(spec.getLabels()).containsExactly(label));
    }

    @Test
    void metadataWithTooManyEntries() {
        assertDeadLettered(example("a1").setMetadata(metadata(65, 1)).build(), RejectReason.METADATA_TOO_LARGE,
                "metadata has 65 entries", "limit is 64");
    }

    @Test
    void metadataOverTheByteLimit() {
        // key "k" (1 byte) and 8,192 two-byte characters: 16,385 bytes, one over 16 KiB
        assertDeadLettered(example("a1").setMetadata(java.util.Map.of("k", "\u00e9".repeat(8_192))).build(),
                RejectReason.METADATA_TOO_LARGE, "metadata has 16385 UTF-8 bytes", "limit is 16384 bytes");
    }

    @Test
    void metadataAtBothLimitsIsAcceptedAndKept() {
        java.util.Map<String, String> many = metadata(64, 1);
        ingest.send(example("a1").setMetadata(many).build());
        java.util.Map<String, String> large = java.util.Map.of("k", "\u00e9".repeat(8_191) + "a"); // 16,384 bytes
        ingest.send(example("a2").setMetadata(large).build());
        assertThat(ingest.drainSplits()).extracting(r -> r.value().getMetadata()).containsExactly(many, large);
        assertThat(ingest.dlq.isEmpty()).isTrue();
    }

    private static java.util.Map<String, String> metadata(int entries, int valueChars) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        for (int i = 0; i < entries; i++) {
            out.put("key-" + i, "v".repeat(valueChars));
        }
        return out;
    }

    @Test
    void notANumberWeight() {
        assertDeadLettered(example("a1").setWeight(Double.NaN).build(), RejectReason.BAD_WEIGHT, "weight is NaN",
                "finite and > 0");
    }

    @Test
    void infiniteWeight() {
        assertDeadLettered(example("a1").setWeight(Double.POSITIVE_INFINITY).build(), RejectReason.BAD_WEIGHT,
                "weight is Infinity");
    }

    @Test
    void zeroWeight() {
        assertDeadLettered(example("a1").setWeight(0.0).build(), RejectReason.BAD_WEIGHT, "weight is 0.0");
    }

    @Test
    void negativeWeight() {
        assertDeadLettered(example("a1").setWeight(-2.5).build(), RejectReason.BAD_WEIGHT, "weight is -2.5");
    }

    @Test
    void eventTimeBeforeTheEarliestAllowed() {
        assertDeadLettered(example("a1").setEventTime(Instant.parse("1999-12-31T23:59:59Z")).build(),
                RejectReason.BAD_EVENT_TIME, "1999-12-31T23:59:59Z", "earliest allowed event time 2000-01-01T00:00:00Z");
    }

    @Test
    void eventTimeTooFarInTheFuture() {
        assertDeadLettered(example("a1").setEventTime(NOW.plus(Duration.ofDays(1)).plusSeconds(1)).build(),
                RejectReason.BAD_EVENT_TIME, "more than PT24H ahead", NOW.toString());
    }

    @Test
    void eventTimeJustWithinTheFutureLimitIsAccepted() {
        ingest.send(example("a1").setEventTime(NOW.plus(Duration.ofDays(1))).build());
        assertThat(ingest.drainSplits()).hasSize(1);
    }

    @Test
    void firstFailingRuleIsReportedWhenSeveralFail() {
        assertDeadLettered(example("x".repeat(200)).setText("").setWeight(-1.0).build(), RejectReason.ID_TOO_LONG,
                "200 characters");
    }

    @Test
    void limitsAreConfigurable() {
        ingest.close();
        ingest = new IngestHarness(c -> c.withLimits(new IngestLimits(8, 10, 12, Duration.ofHours(1),
                Instant.parse("2020-01-01T00:00:00Z"))));
        ingest.declare(IngestHarness.closedSpam());
        assertDeadLettered(example("123456789").build(), RejectReason.ID_TOO_LONG, "limit is 8");
        ingest.send(example("a1").setText("été été").build()); // 7 chars, 9 bytes
        ingest.send(example("a2").setText("ééééééé").build()); // 7 chars, 14 bytes: over 12
        ingest.send(example("a3").setText("ok").setEventTime(NOW.plus(Duration.ofHours(2))).build());
        assertThat(ingest.drainSplits()).extracting(TestRecord::key).containsExactly("a1");
        assertThat(ingest.dlq.readRecordsToList()).extracting(IngestHarness::reason)
                .containsExactly("TEXT_TOO_LONG", "BAD_EVENT_TIME");
    }

    @Test
    void acceptedExampleIsNormalizedAndCompleted() {
        // "Café" with a combining acute accent (NFD), padded with whitespace
        ingest.send(example("a1").setText("  Cafe\u0301 au lait \n").setLabel(" ham ").build(), NOW.minusSeconds(60));
        TestRecord<String, LabelledExample> out = ingest.drainSplits().get(0);
        assertThat(out.key()).isEqualTo("a1");
        assertThat(out.value().getText()).isEqualTo("Caf\u00e9 au lait");
        assertThat(out.value().getLabel()).isEqualTo("ham");
        assertThat(out.value().getWeight()).isEqualTo(1.0);
        assertThat(out.value().getEventTime()).as("record timestamp fills a missing event time")
                .isEqualTo(NOW.minusSeconds(60));
        assertThat(out.value().getSplit()).isNotNull().isNotEqualTo(dev.streamtune.avro.Split.UNSPECIFIED);
        assertThat(ingest.metrics.routedTotal()).isEqualTo(1);
    }

    @Test
    void explicitWeightAndEventTimeAreKept() {
        Instant observed = NOW.minus(Duration.ofDays(30));
        ingest.send(example("a1").setWeight(2.5).setEventTime(observed).setSource("annotator-7").build());
        LabelledExample out = ingest.drainSplits().get(0).value();
        assertThat(out.getWeight()).isEqualTo(2.5);
        assertThat(out.getEventTime()).isEqualTo(observed);
        assertThat(out.getSource()).isEqualTo("annotator-7");
    }
}
