package dev.streamtune.ingest;

import static dev.streamtune.ingest.IngestHarness.NOW;
import static dev.streamtune.ingest.IngestHarness.example;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.LabelledExample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Every input is accounted for exactly once: in a split topic, in the DLQ, or counted as a repeat. */
class AccountingTest {
    private static final int RECORDS = 600;

    private static long kafkaMetric(IngestHarness ingest, String name, Map<String, String> tags) {
        return ingest.driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals(IngestMetrics.METRIC_GROUP) && e.getKey().name().equals(name)
                        && e.getKey().tags().equals(tags))
                .mapToLong(e -> ((Number) e.getValue().metricValue()).longValue())
                .reduce((a, b) -> {
                    throw new AssertionError("metric " + name + tags + " is registered twice");
                })
                .orElseThrow(() -> new AssertionError("no metric " + name + tags));
    }

    @Test
    void everyInputEndsUpInExactlyOnePlace() {
        Random random = new Random(20261126);
        Map<String, LabelledExample> latest = new HashMap<>();
        List<String> expectedRouted = new ArrayList<>();
        int expectedDead = 0;
        int expectedRepeats = 0;
        int expectedCorrections = 0;

        try (IngestHarness ingest = new IngestHarness()) {
            ingest.declare(IngestHarness.closedSpam());
            for (int i = 0; i < RECORDS; i++) {
                var at = NOW.plusSeconds(i);
                int dice = random.nextInt(100);
                List<String> known = new ArrayList<>(latest.keySet());
                if (dice < 50 || known.isEmpty()) {
                    LabelledExample fresh = example("ex-" + i).setLabel(random.nextBoolean() ? "spam" : "ham")
                            .setText("message number " + i).build();
                    ingest.send(fresh, at);
                    latest.put(fresh.getId(), fresh);
                    expectedRouted.add(fresh.getId());
                } else if (dice < 65) {
                    LabelledExample repeat = latest.get(known.get(random.nextInt(known.size())));
                    ingest.send(repeat, at);
                    expectedRepeats++;
                } else if (dice < 75) {
                    LabelledExample previous = latest.get(known.get(random.nextInt(known.size())));
                    LabelledExample corrected = LabelledExample.newBuilder(previous)
                            .setLabel(previous.getLabel().equals("spam") ? "ham" : "spam").build();
                    ingest.send(corrected, at);
                    latest.put(corrected.getId(), corrected);
                    expectedRouted.add(corrected.getId());
                    expectedCorrections++;
                } else if (dice < 90) {
                    LabelledExample invalid = switch (random.nextInt(5)) {
                        case 0 -> example(null).build();
                        case 1 -> example("bad-" + i).setText("   ").build();
                        case 2 -> example("bad-" + i).setLabel("eggs").build();
                        case 3 -> example("bad-" + i).setWeight(-1.0).build();
                        default -> example("bad-" + i).setTask("").build();
                    };
                    ingest.send(invalid, at);
                    expectedDead++;
                } else {
                    byte[] garbage = new byte[random.nextInt(12)];
                    random.nextBytes(garbage);
                    ingest.sendBytes(null, garbage, new RecordHeaders(), at);
                    expectedDead++;
                }
            }

            List<String> routed = ingest.drainSplits().stream().map(TestRecord::key).toList();
            int dead = ingest.dlq.readRecordsToList().size();
            assertThat(routed).containsExactlyInAnyOrderElementsOf(expectedRouted);
            assertThat(dead).isEqualTo(expectedDead);
            assertThat(ingest.metrics.duplicatesDropped()).isEqualTo(expectedRepeats);
            assertThat(ingest.metrics.corrections()).isEqualTo(expectedCorrections);
            assertThat(routed.size() + dead + ingest.metrics.duplicatesDropped()).isEqualTo(RECORDS);
            assertThat(ingest.metrics.processedTotal()).isEqualTo(RECORDS);
            assertThat(ingest.metrics.rejectedTotal()).isEqualTo(expectedDead);
            assertThat(ingest.metrics.routedTotal()).isEqualTo(expectedRouted.size());
            // the same counts are readable through Kafka's own metrics (and so JMX)
            assertThat(kafkaMetric(ingest, "duplicates-dropped-total", Map.of())).isEqualTo(expectedRepeats);
            assertThat(kafkaMetric(ingest, "corrections-total", Map.of())).isEqualTo(expectedCorrections);
            long deadByReason = 0;
            for (RejectReason reason : RejectReason.values()) {
                long n = kafkaMetric(ingest, "rejected-total", Map.of("reason", reason.name()));
                assertThat(n).as(reason.name()).isEqualTo(ingest.metrics.rejected(reason));
                deadByReason += n;
            }
            assertThat(deadByReason).isEqualTo(expectedDead);
            assertThat(kafkaMetric(ingest, "rejected-total", Map.of("reason", "UNKNOWN_LABEL"))).isPositive();
            // the mix really exercised every path
            assertThat(expectedRepeats).isGreaterThan(30);
            assertThat(expectedCorrections).isGreaterThan(20);
            assertThat(expectedDead).isGreaterThan(60);
        }
    }
}
