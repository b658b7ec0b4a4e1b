package dev.streamtune.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.avro.OffsetRange;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetLedgerTest {
    private static final TopicPartition P0 = new TopicPartition("features.m", 0);
    private static final TopicPartition P1 = new TopicPartition("features.m", 1);

    @Test
    void newRangesRunFromTheLastPublishAndCumulativeFromTheFirstOffset() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.track(P0, 5);
        ledger.track(P1, 0);
        ledger.handled(P0, 5);
        ledger.handled(P0, 6);
        assertThat(ledger.newRanges()).containsExactly(new OffsetRange("features.m", 0, 5L, 7L));
        ledger.published();
        ledger.handled(P0, 9);
        ledger.handled(P1, 0);
        assertThat(ledger.newRanges()).containsExactly(new OffsetRange("features.m", 0, 7L, 10L),
                new OffsetRange("features.m", 1, 0L, 1L));
        assertThat(ledger.cumulativeRanges()).containsExactly(new OffsetRange("features.m", 0, 5L, 10L),
                new OffsetRange("features.m", 1, 0L, 1L));
        assertThat(ledger.positions()).containsEntry("features.m:0", 10L).containsEntry("features.m:1", 1L);
        assertThatThrownBy(() -> ledger.handled(P0, 8)).hasMessageContaining("handled twice");
    }

    @Test
    void firstsAreWhereLearningBegan() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.restore(P1, 3, 9);
        assertThat(ledger.firsts()).containsEntry(P1, 3L);
        assertThat(ledger.positionsByPartition()).containsEntry(P1, 9L);
    }
}
