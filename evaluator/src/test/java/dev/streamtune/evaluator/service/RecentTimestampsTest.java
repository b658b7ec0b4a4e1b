package dev.streamtune.evaluator.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RecentTimestampsTest {

    @Test
    void findsTheFirstOffsetOfARangeAmongTheLastCapacityRecords() {
        RecentTimestamps ring = new RecentTimestamps(4);
        for (long offset = 10; offset < 20; offset += 2) { // 10, 12, 14, 16, 18: 10 falls out
            ring.add(offset, 1_000 + offset);
        }
        assertThat(ring.size()).isEqualTo(4);
        assertThat(ring.firstIn(11, 30)).isEqualTo(OptionalLong.of(1_012));
        assertThat(ring.firstIn(13, 15)).isEqualTo(OptionalLong.of(1_014));
        assertThat(ring.firstIn(18, 19)).isEqualTo(OptionalLong.of(1_018));
        assertThat(ring.firstIn(0, 11)).as("10 was forgotten").isEmpty();
        assertThat(ring.firstIn(15, 16)).as("no remembered offset in the range").isEmpty();
        assertThat(ring.firstIn(19, 40)).isEmpty();
    }

    @Test
    void aConsumerMovedBackStartsTheRingOver() {
        RecentTimestamps ring = new RecentTimestamps(8);
        ring.add(5, 50);
        ring.add(6, 60);
        ring.add(3, 31); // re-read from 3: what it held may be read again
        assertThat(ring.size()).isEqualTo(1);
        assertThat(ring.firstIn(0, 10)).isEqualTo(OptionalLong.of(31));
    }
}
