package dev.streamtune.ingest;

import static dev.streamtune.ingest.IngestHarness.NOW;
import static dev.streamtune.ingest.IngestHarness.example;
import static dev.streamtune.ingest.IngestHarness.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.LabelledExample;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DedupeTest {
    private IngestHarness ingest;

    @BeforeEach
    void setUp() {
        ingest = new IngestHarness(c -> c.withDedupeRetention(Duration.ofHours(1)));
        ingest.declare(IngestHarness.closedSpam());
    }

    @AfterEach
    void tearDown() {
        ingest.close();
    }

    @Test
    void exactRepeatIsDroppedAndCounted() {
        ingest.send(example("a1").build());
        ingest.send(example("a1").build(), NOW.plusSeconds(5));
        ingest.send(example("a1").setWeight(3.0).build(), NOW.plusSeconds(6)); // same text and label
        List<TestRecord<String, LabelledExample>> out = ingest.drainSplits();
        assertThat(out).hasSize(1);
        assertThat(header(out.get(0).headers(), IngestHeaders.CORRECTION)).isNull();
        assertThat(ingest.metrics.duplicatesDropped()).isEqualTo(2);
        assertThat(ingest.dlq.isEmpty()).isTrue();
    }

    @Test
    void repeatsAreComparedAfterNormalization() {
        ingest.send(example("a1").setText("Caf\u00e9").build());
        ingest.send(example("a1").setText("  Cafe\u0301\n").build(), NOW.plusSeconds(1));
        assertThat(ingest.drainSplits()).hasSize(1);
        assertThat(ingest.metrics.duplicatesDropped()).isEqualTo(1);
    }

    @Test
    void newLabelForTheSameIdIsACorrection() {
        ingest.send(example("a1").setLabel("spam").build());
        ingest.send(example("a1").setLabel("ham").build(), NOW.plusSeconds(10));
        List<TestRecord<String, LabelledExample>> out = ingest.drainSplits();
        assertThat(out).hasSize(2);
        assertThat(out).extracting(r -> r.value().getLabel()).containsExactly("spam", "ham");
        assertThat(header(out.get(0).headers(), IngestHeaders.CORRECTION)).isNull();
        assertThat(header(out.get(1).headers(), IngestHeaders.CORRECTION)).isEqualTo("true");
        assertThat(out.get(1).value().getSplit()).as("a correction stays in its split").isEqualTo(out.get(0).value().getSplit());
        assertThat(ingest.metrics.corrections()).isEqualTo(1);
        // and the correction itself is now what a repeat is compared with
        ingest.send(example("a1").setLabel("ham").build(), NOW.plusSeconds(20));
        assertThat(ingest.drainSplits()).isEmpty();
        assertThat(ingest.metrics.duplicatesDropped()).isEqualTo(1);
    }

    @Test
    void changedTextIsACorrectionToo() {
        ingest.send(example("a1").setText("first version").build());
        ingest.send(example("a1").setText("fixed typo version").build(), NOW.plusSeconds(10));
        List<TestRecord<String, LabelledExample>> out = ingest.drainSplits();
        assertThat(out).hasSize(2);
        assertThat(header(out.get(1).headers(), IngestHeaders.CORRECTION)).isEqualTo("true");
    }

    @Test
    void theSameIdInAnotherTaskIsADifferentExample() {
        ingest.send(example("a1").build());
        ingest.send(example("a1").setTask("sentiment").build());
        assertThat(ingest.drainSplits()).hasSize(2);
        assertThat(ingest.metrics.duplicatesDropped()).isZero();
        assertThat(ingest.metrics.corrections()).isZero();
    }

    @Test
    void taskAndIdCannotBleedIntoEachOther() {
        assertThat(GateProcessor.dedupeKey("ab", "c")).isNotEqualTo(GateProcessor.dedupeKey("a", "bc"));
        assertThat(GateProcessor.dedupeKey("a:1", "x")).isNotEqualTo(GateProcessor.dedupeKey("a", "1:x"));
        ingest.send(example("c").setTask("ab").setLabel("x").build());
        ingest.send(example("bc").setTask("a").setLabel("x").build());
        assertThat(ingest.drainSplits()).hasSize(2);
        assertThat(ingest.metrics.corrections()).isZero();
    }

    @Test
    void aProducerCannotMarkItsOwnRecordAsACorrection() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(IngestHeaders.CORRECTION, "true".getBytes(StandardCharsets.UTF_8));
        ingest.sendBytes(IngestHarness.key("a1"), ingest.encode(example("a1").build()), headers, NOW);
        TestRecord<String, LabelledExample> out = ingest.drainSplits().get(0);
        assertThat(out.headers().headers(IngestHeaders.CORRECTION)).isEmpty();
    }

    @Test
    void afterTheRetentionARepeatIsANewExampleAgain() {
        ingest.send(example("a1").build(), NOW);
        // other traffic moves stream time past the one-hour retention
        ingest.send(example("b1").build(), NOW.plus(Duration.ofMinutes(61)));
        ingest.send(example("a1").build(), NOW.plus(Duration.ofMinutes(62)));
        List<TestRecord<String, LabelledExample>> out = ingest.drainSplits();
        assertThat(out).extracting(TestRecord::key).containsExactly("a1", "b1", "a1");
        assertThat(header(out.get(2).headers(), IngestHeaders.CORRECTION)).as("forgotten, so not a correction").isNull();
        assertThat(ingest.metrics.duplicatesDropped()).isZero();
    }

    @Test
    void repeatsWithinTheRetentionKeepItAlive() {
        for (int minute = 0; minute <= 150; minute += 50) {
            ingest.send(example("a1").build(), NOW.plus(Duration.ofMinutes(minute)));
        }
        assertThat(ingest.drainSplits()).hasSize(1);
        assertThat(ingest.metrics.duplicatesDropped()).isEqualTo(3);
    }

    @Test
    void expiredEntriesAreSweptFromTheStore() {
        ingest.send(example("a1").build(), NOW);
        ingest.send(example("a2").build(), NOW.plus(Duration.ofMinutes(30)));
        // stream time jumps 3 hours: the punctuation sweeps everything last seen over an hour before
        ingest.send(example("b1").build(), NOW.plus(Duration.ofHours(3)));
        var store = ingest.driver.<String, org.apache.kafka.streams.state.ValueAndTimestamp<byte[]>>getTimestampedKeyValueStore(
                IngestTopology.DEDUPE_STORE);
        assertThat(store.get(GateProcessor.dedupeKey("spam", "a1"))).isNull();
        assertThat(store.get(GateProcessor.dedupeKey("spam", "a2"))).isNull();
        assertThat(store.get(GateProcessor.dedupeKey("spam", "b1"))).isNotNull();
    }
}
