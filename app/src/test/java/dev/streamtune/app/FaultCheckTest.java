package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.app.FaultCheck.ChampionChange;
import dev.streamtune.app.FaultCheck.Position;
import dev.streamtune.app.FaultCheck.Range;
import dev.streamtune.app.FaultCheck.Routed;
import dev.streamtune.app.FaultCheck.TrainRecord;
import dev.streamtune.app.FaultCheck.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FaultCheckTest {
    private static final Map<String, Long> ACKED = Map.of("a", 1_000L, "b", 2_000L, "c", 3_000L);
    private static final List<Routed> ROUTED = List.of(new Routed("a", "examples.train"), new Routed("b", "examples.train"),
            new Routed("c", "dlq"));
    private static final List<TrainRecord> TRAIN = List.of(new TrainRecord(new Position("f", 0, 0), "a"),
            new TrainRecord(new Position("f", 0, 1), "b"));

    @Test
    void aCompleteRunIsCleanAndItsFreshnessIsProduceToFirstVersion() {
        FaultCheck.Result r = FaultCheck.check(ACKED, ROUTED, List.of("a", "b"), TRAIN,
                List.of(new Version(1, List.of(new Range("f", 0, 0, 1)), 5_000), new Version(2, List.of(new Range("f", 0, 1, 2)), 12_000)),
                List.of(new ChampionChange(1, null), new ChampionChange(2, 1L)));
        assertThat(r.clean()).as(r.breakdown().toString()).isTrue();
        assertThat(r.versions()).isEqualTo(2);
        assertThat(r.freshnessSeconds()).containsExactly(4.0, 10.0);
        assertThat(r.freshnessPercentile(95)).isEqualTo(10.0);
    }

    @Test
    void eachLossAndEachDoublingIsFoundAndNamed() {
        FaultCheck.Result r = FaultCheck.check(Map.of("a", 1L, "b", 2L, "c", 3L, "d", 4L),
                List.of(new Routed("a", "examples.train"), new Routed("a", "examples.test"), new Routed("b", "examples.train"),
                        new Routed("c", "dlq")),
                List.of("a", "a"), TRAIN,
                List.of(new Version(1, List.of(new Range("f", 0, 0, 1)), 5), new Version(1, List.of(new Range("f", 0, 0, 1)), 6)),
                List.of(new ChampionChange(1, null), new ChampionChange(3, 2L)));
        assertThat(r.lostExamples()).containsExactly("d");
        assertThat(r.duplicateExamples()).containsExactly("a");
        assertThat(r.missingFeatures()).containsExactly("b");
        assertThat(r.duplicateFeatures()).containsExactly("a");
        assertThat(r.untrainedOffsets()).containsExactly(new Position("f", 0, 1));
        assertThat(r.doublyTrainedOffsets()).containsExactly(new Position("f", 0, 0));
        assertThat(r.duplicateVersions()).containsExactly(1L);
        assertThat(r.chainBreaks()).hasSize(2).anyMatch(s -> s.contains("v3 names v2")).anyMatch(s -> s.contains("never published"));
        assertThat(r.lost()).isEqualTo(3);
        assertThat(r.duplicates()).isEqualTo(4);
        assertThat(r.clean()).isFalse();
    }

    @Test
    void theDeckKillsEveryKindAtLeastKillsOverKindsTimes() {
        List<LocalCluster.Kind> dealt = FaultsBenchmark.deal(12, new Random(7));
        assertThat(dealt).hasSize(12);
        for (LocalCluster.Kind kind : FaultsBenchmark.KILLED) {
            assertThat(new ArrayList<>(dealt).stream().filter(k -> k == kind).count()).as(kind.name()).isGreaterThanOrEqualTo(2);
        }
        assertThat(FaultsBenchmark.deal(12, new Random(7))).as("the seed decides").isEqualTo(dealt);
    }
}
