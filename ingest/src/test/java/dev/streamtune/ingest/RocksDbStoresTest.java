package dev.streamtune.ingest;

import static dev.streamtune.ingest.IngestHarness.NOW;
import static dev.streamtune.ingest.IngestHarness.example;
import static dev.streamtune.ingest.IngestHarness.header;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The production store kind (RocksDB on disk), kept to a handful of records: TopologyTestDriver
 * commits after each record and RocksDB flushes on every commit, at tens of milliseconds a time.
 * (TopologyTestDriver wipes its state directory on close, so surviving a restart, which in
 * production comes from the changelog topics, is for the broker integration test.)
 */
class RocksDbStoresTest {

    @Test
    void dedupeCorrectionsRetentionAndTaskRegistryWorkOnRocksDb() {
        try (IngestHarness ingest = new IngestHarness(c -> c.withStateStores(StateStoreKind.ROCKSDB)
                .withDedupeRetention(Duration.ofHours(1)))) {
            assertThat(ingest.config.stateStores()).isEqualTo(StateStoreKind.ROCKSDB);
            ingest.send(example("a1").setTask("topic").setLabel("sports").build());
            ingest.send(example("a1").setTask("topic").setLabel("sports").build(), NOW.plusSeconds(1));
            ingest.send(example("a1").setTask("topic").setLabel("politics").build(), NOW.plusSeconds(2));
            ingest.send(example("b1").setTask("topic").setLabel("sports").build(), NOW.plus(Duration.ofHours(2)));

            var out = ingest.drainSplits();
            assertThat(out).extracting(TestRecord::key).containsExactly("a1", "a1", "b1");
            assertThat(header(out.get(1).headers(), IngestHeaders.CORRECTION)).isEqualTo("true");
            assertThat(ingest.metrics.duplicatesDropped()).isEqualTo(1);
            assertThat(ingest.tasksOut.readValuesToList()).extracting(spec -> spec.getLabels())
                    .containsExactly(java.util.List.of("sports"), java.util.List.of("sports", "politics"));
            var store = ingest.driver.<String, org.apache.kafka.streams.state.ValueAndTimestamp<byte[]>>getTimestampedKeyValueStore(
                    IngestTopology.DEDUPE_STORE);
            assertThat(store.get(GateProcessor.dedupeKey("topic", "a1"))).as("swept after the retention").isNull();
            assertThat(store.get(GateProcessor.dedupeKey("topic", "b1"))).isNotNull();
        }
    }
}
