package dev.streamtune.ingest;

import static dev.streamtune.ingest.IngestHarness.NOW;
import static dev.streamtune.ingest.IngestHarness.example;
import static dev.streamtune.ingest.IngestHarness.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.schemas.DeadLetterHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bytes that are not a LabelledExample go to the DLQ unchanged, with the reason, and ingest goes on. */
class UndecodableRecordTest {
    private IngestHarness ingest;

    @BeforeEach
    void setUp() {
        ingest = new IngestHarness();
    }

    @AfterEach
    void tearDown() {
        ingest.close();
    }

    private void assertDeadLettered(byte[] value, RejectReason reason, String messagePart) {
        byte[] key = "k-1".getBytes(StandardCharsets.UTF_8);
        RecordHeaders headers = new RecordHeaders();
        headers.add("origin", "legacy-producer".getBytes(StandardCharsets.UTF_8));
        ingest.sendBytes(key, value, headers, NOW);
        // ingest is still alive and routes the next good record
        ingest.send(example("good-1").build());

        List<TestRecord<byte[], byte[]>> dead = ingest.dlq.readRecordsToList();
        assertThat(dead).hasSize(1);
        TestRecord<byte[], byte[]> record = dead.get(0);
        assertThat(record.key()).isEqualTo(key);
        assertThat(record.value()).as("original bytes").isEqualTo(value);
        assertThat(header(record.headers(), "origin")).isEqualTo("legacy-producer");
        assertThat(header(record.headers(), DeadLetterHeaders.REASON)).isEqualTo(reason.name());
        assertThat(header(record.headers(), DeadLetterHeaders.MESSAGE)).contains(messagePart);
        assertThat(header(record.headers(), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("examples.raw");
        assertThat(header(record.headers(), DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(header(record.headers(), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
        assertThat(header(record.headers(), DeadLetterHeaders.SERVICE)).isEqualTo("streamtune-ingest");
        assertThat(ingest.drainSplits()).extracting(TestRecord::key).containsExactly("good-1");
        assertThat(ingest.metrics.rejected(reason)).isEqualTo(1);
    }

    @Test
    void truncatedRecordShorterThanTheHeader() {
        assertDeadLettered(new byte[] {0, 0, 1}, RejectReason.TRUNCATED, "3 bytes is shorter than the 5-byte");
    }

    @Test
    void emptyValueIsTruncated() {
        assertDeadLettered(new byte[0], RejectReason.TRUNCATED, "0 bytes");
    }

    @Test
    void badMagicByte() {
        byte[] json = "{\"id\":\"a1\",\"task\":\"spam\"}".getBytes(StandardCharsets.UTF_8);
        assertDeadLettered(json, RejectReason.BAD_MAGIC_BYTE, "magic byte is 0x7b");
    }

    @Test
    void unknownSchemaId() {
        byte[] good = ingest.encode(example("a1").build());
        byte[] unknownId = Arrays.copyOf(good, good.length);
        ByteBuffer.wrap(unknownId, 1, 4).putInt(424242);
        assertDeadLettered(unknownId, RejectReason.UNKNOWN_SCHEMA_ID, "unknown schema id 424242");
    }

    @Test
    void payloadThatDoesNotDecode() {
        byte[] good = ingest.encode(example("a1").build());
        // a valid header followed by a union index far out of range
        byte[] garbage = Arrays.copyOf(good, 5 + 4);
        garbage[5] = (byte) 0x7f;
        garbage[6] = (byte) 0xff;
        garbage[7] = (byte) 0xff;
        garbage[8] = (byte) 0x0f;
        assertDeadLettered(garbage, RejectReason.UNDECODABLE, "does not decode");
    }

    @Test
    void truncatedPayloadAfterAValidHeader() {
        byte[] good = ingest.encode(example("a1").build());
        assertDeadLettered(Arrays.copyOf(good, good.length - 7), RejectReason.UNDECODABLE, "does not decode");
    }

    @Test
    void tombstone() {
        assertDeadLettered(null, RejectReason.NULL_VALUE, "value is null");
    }

    @Test
    void recordWithoutAKeyIsStillDeadLetteredWithItsOffset() {
        ingest.send(example("good-0").build());
        ingest.sendBytes(null, new byte[] {9, 9}, new RecordHeaders(), NOW);
        TestRecord<byte[], byte[]> dead = ingest.dlq.readRecord();
        assertThat(dead.key()).isNull();
        assertThat(header(dead.headers(), DeadLetterHeaders.REASON)).isEqualTo("TRUNCATED");
        assertThat(header(dead.headers(), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("1");
    }

    @Test
    void aReplayedDeadLetterCarriesOnlyTheNewReason() {
        RecordHeaders stale = new RecordHeaders();
        stale.add(DeadLetterHeaders.REASON, "BAD_WEIGHT".getBytes(StandardCharsets.UTF_8));
        ingest.sendBytes(null, new byte[] {1}, stale, NOW);
        TestRecord<byte[], byte[]> dead = ingest.dlq.readRecord();
        assertThat(dead.headers().headers(DeadLetterHeaders.REASON)).hasSize(1);
        assertThat(header(dead.headers(), DeadLetterHeaders.REASON)).isEqualTo("TRUNCATED");
    }
}
