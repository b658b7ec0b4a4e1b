package dev.streamtune.ingest;

import static dev.streamtune.ingest.IngestHarness.example;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.Split;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

class SplitTest {

    private static Map<Split, Integer> countSplits(SplitAssigner assigner, int n) {
        Map<Split, Integer> counts = new EnumMap<>(Split.class);
        for (int i = 0; i < n; i++) {
            counts.merge(assigner.assign("spam", "example-" + i, null), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void defaultRatiosAreRoughly80_10_10Over10000Ids() {
        Map<Split, Integer> counts = countSplits(new SplitAssigner(SplitRatios.defaults()), 10_000);
        // binomial standard deviation at n=10,000: 40 for p=0.8, 30 for p=0.1; allow 4 sigma
        assertThat(counts.get(Split.TRAIN)).isCloseTo(8_000, within(160));
        assertThat(counts.get(Split.VALIDATION)).isCloseTo(1_000, within(120));
        assertThat(counts.get(Split.TEST)).isCloseTo(1_000, within(120));
    }

    @Test
    void configuredRatiosAreFollowed() {
        Map<Split, Integer> counts = countSplits(new SplitAssigner(new SplitRatios(0.5, 0.2, 0.3)), 10_000);
        assertThat(counts.get(Split.TRAIN)).isCloseTo(5_000, within(200));
        assertThat(counts.get(Split.VALIDATION)).isCloseTo(2_000, within(160));
        assertThat(counts.get(Split.TEST)).isCloseTo(3_000, within(184));
    }

    @Test
    void aZeroRatioGetsNothing() {
        Map<Split, Integer> counts = countSplits(new SplitAssigner(new SplitRatios(0.9, 0.0, 0.1)), 2_000);
        assertThat(counts).doesNotContainKey(Split.VALIDATION);
    }

    @Test
    void hashIsStableAcrossRunsAndDependsOnTaskAndId() {
        // pinned values: a change to the hash would silently move examples between splits
        assertThat(SplitAssigner.unitHash("spam", "easy_ham-00001")).isEqualTo(SplitAssigner.unitHash("spam", "easy_ham-00001"));
        assertThat(SplitAssigner.unitHash("spam", "a")).isNotEqualTo(SplitAssigner.unitHash("ham", "a"));
        // "ab" + "c" and "a" + "bc" must not collide: the separator keeps task and id apart
        assertThat(SplitAssigner.unitHash("ab", "c")).isNotEqualTo(SplitAssigner.unitHash("a", "bc"));
        for (int i = 0; i < 1_000; i++) {
            double u = SplitAssigner.unitHash("t", Integer.toString(i));
            assertThat(u).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
        }
    }

    @Test
    void hashMatchesAnIndependentComputation() throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                .digest("spam\u0000x-42".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        java.math.BigInteger top64 = new java.math.BigInteger(1, java.util.Arrays.copyOf(digest, 8));
        double expected = top64.shiftRight(11).doubleValue() / Math.pow(2, 53);
        assertThat(SplitAssigner.unitHash("spam", "x-42")).isEqualTo(expected);
    }

    @Test
    void theSameIdAlwaysLandsInTheSameSplitAndPinnedSplitsWin() {
        Map<String, Split> first = new HashMap<>();
        try (IngestHarness ingest = new IngestHarness()) {
            for (int i = 0; i < 300; i++) {
                ingest.send(example("id-" + i).build());
            }
            for (TestRecord<String, LabelledExample> r : ingest.drainSplits()) {
                first.put(r.key(), r.value().getSplit());
            }
            assertThat(first).hasSize(300);
            assertThat(ingest.train.getQueueSize()).isZero();
        }
        // a fresh application instance (new state) routes every id the same way
        try (IngestHarness again = new IngestHarness()) {
            for (int i = 0; i < 300; i++) {
                again.send(example("id-" + i).build());
            }
            assertSplitTopics(again, first);
        }
        try (IngestHarness pinned = new IngestHarness()) {
            String trainId = first.entrySet().stream().filter(e -> e.getValue() == Split.TRAIN).findFirst().orElseThrow().getKey();
            pinned.send(example(trainId).setSplit(Split.TEST).build());
            pinned.send(example("other").setSplit(Split.VALIDATION).build());
            pinned.send(example("unpinned").setSplit(Split.UNSPECIFIED).build());
            assertThat(pinned.test.readKeyValuesToMap()).containsKey(trainId);
            assertThat(pinned.validation.readKeyValuesToMap()).containsKey("other");
            Split hashed = new SplitAssigner(SplitRatios.defaults()).assign("spam", "unpinned", null);
            assertThat(topicOf(pinned, hashed).readKeyValuesToMap()).containsKey("unpinned");
        }
    }

    private static void assertSplitTopics(IngestHarness ingest, Map<String, Split> expected) {
        Map<String, Split> seen = new HashMap<>();
        ingest.train.readRecordsToList().forEach(r -> seen.put(r.key(), Split.TRAIN));
        ingest.validation.readRecordsToList().forEach(r -> seen.put(r.key(), Split.VALIDATION));
        ingest.test.readRecordsToList().forEach(r -> seen.put(r.key(), Split.TEST));
        assertThat(seen).isEqualTo(expected);
    }

    private static org.apache.kafka.streams.TestOutputTopic<String, LabelledExample> topicOf(IngestHarness ingest, Split split) {
        return switch (split) {
            case TRAIN -> ingest.train;
            case VALIDATION -> ingest.validation;
            case TEST -> ingest.test;
            default -> throw new IllegalArgumentException(split.name());
        };
    }
}
