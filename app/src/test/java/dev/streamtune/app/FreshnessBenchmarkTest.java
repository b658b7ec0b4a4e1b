package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.streamtune.app.FreshnessBenchmark.Summary;
import dev.streamtune.app.FreshnessBenchmark.TimedVersion;
import dev.streamtune.avro.OffsetRange;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class FreshnessBenchmarkTest {
    private static final String FEATURES = "features.all-minilm-l6-v2";

    private static OffsetRange range(String topic, int partition, long from, long until) {
        return OffsetRange.newBuilder().setTopic(topic).setPartition(partition).setFromOffset(from).setUntilOffset(until).build();
    }

    @Test
    void percentilesInterpolateBetweenClosestRanks() {
        double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(FreshnessBenchmark.percentile(sorted, 0.5)).isCloseTo(5.5, within(1e-12));
        // position 0.95 * 9 = 8.55: 9 + 0.55 * (10 - 9)
        assertThat(FreshnessBenchmark.percentile(sorted, 0.95)).isCloseTo(9.55, within(1e-12));
        assertThat(FreshnessBenchmark.percentile(sorted, 0)).isEqualTo(1);
        assertThat(FreshnessBenchmark.percentile(sorted, 1)).isEqualTo(10);
        assertThat(FreshnessBenchmark.percentile(new double[] {42}, 0.95)).isEqualTo(42);
        assertThat(FreshnessBenchmark.percentile(new double[0], 0.5)).isNaN();
        assertThatThrownBy(() -> FreshnessBenchmark.percentile(sorted, 1.5)).hasMessage("q must be in [0, 1], got 1.5");
    }

    @Test
    void summarySortsItsInput() {
        Summary s = Summary.of(new double[] {30, 10, 20});
        assertThat(s.count()).isEqualTo(3);
        assertThat(s.p50()).isEqualTo(20);
        assertThat(s.p95()).isCloseTo(29, within(1e-12));
        assertThat(s.max()).isEqualTo(30);
    }

    @Test
    void rangesAreHalfOpenAndMatchTopicAndPartition() {
        List<OffsetRange> ranges = List.of(range(FEATURES, 0, 10, 20), range(FEATURES, 2, 0, 5));
        assertThat(FreshnessBenchmark.covers(ranges, FEATURES, 0, 10)).isTrue();
        assertThat(FreshnessBenchmark.covers(ranges, FEATURES, 0, 19)).isTrue();
        assertThat(FreshnessBenchmark.covers(ranges, FEATURES, 0, 20)).as("until is exclusive").isFalse();
        assertThat(FreshnessBenchmark.covers(ranges, FEATURES, 0, 9)).isFalse();
        assertThat(FreshnessBenchmark.covers(ranges, FEATURES, 1, 12)).as("other partition").isFalse();
        assertThat(FreshnessBenchmark.covers(ranges, "features.other", 0, 12)).as("other topic").isFalse();
        assertThat(FreshnessBenchmark.covers(ranges, FEATURES, 2, 4)).isTrue();
    }

    @Test
    void theEarliestCoveringVersionWinsWhateverTheListOrder() {
        List<TimedVersion> versions = List.of(
                new TimedVersion(3_000, 3, List.of(range(FEATURES, 0, 0, 30)), "refresh: ..."),
                new TimedVersion(1_000, 1, List.of(range(FEATURES, 0, 0, 10)), "promote: ..."),
                new TimedVersion(2_000, 2, List.of(range(FEATURES, 0, 0, 20)), "refresh: ..."));
        assertThat(FreshnessBenchmark.firstCovering(versions, FEATURES, 0, 5)).isEqualTo(OptionalLong.of(1_000));
        assertThat(FreshnessBenchmark.firstCovering(versions, FEATURES, 0, 15)).isEqualTo(OptionalLong.of(2_000));
        assertThat(FreshnessBenchmark.firstCovering(versions, FEATURES, 0, 25)).isEqualTo(OptionalLong.of(3_000));
        assertThat(FreshnessBenchmark.firstCovering(versions, FEATURES, 0, 30)).isEmpty();
        assertThat(FreshnessBenchmark.firstCovering(List.of(), FEATURES, 0, 0)).isEmpty();
    }

    @Test
    void gapsAreTakenInTimeOrder() {
        List<TimedVersion> versions = List.of(new TimedVersion(16_000, 2, List.of(), ""),
                new TimedVersion(1_000, 1, List.of(), ""), new TimedVersion(46_500, 3, List.of(), ""));
        assertThat(FreshnessBenchmark.gapsSeconds(versions)).containsExactly(15.0, 30.5);
        assertThat(FreshnessBenchmark.gapsSeconds(List.of())).isEmpty();
    }
}
