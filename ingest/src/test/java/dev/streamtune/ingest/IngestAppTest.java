package dev.streamtune.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The real KafkaStreams wiring, without a broker: it builds, accepts its config, and stops cleanly. */
class IngestAppTest {

    @Test
    void buildsARealKafkaStreamsAndReportsTerminationOnClose() {
        Path stateDir = IngestHarness.newStateDir();
        IngestConfig config = IngestConfig.defaults("localhost:1", "mock://ingest-app-test")
                .withStreamsOverrides(Map.of(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()));
        try {
            IngestApp app = new IngestApp(config);
            assertThat(app.state()).isEqualTo(KafkaStreams.State.CREATED);
            io.micrometer.core.instrument.simple.SimpleMeterRegistry scraped =
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            app.meters().bindTo(scraped);
            assertThat(scraped.find("streamtune.ingest.dead.letters").functionCounters())
                    .as("a dead-letter counter for every reason").hasSize(RejectReason.values().length);
            assertThat(scraped.getMeters()).map(m -> m.getId().getName())
                    .as("Micrometer's Streams binder, without a second copy of ingest's own counters")
                    .anyMatch(n -> n.startsWith("kafka.stream.")).noneMatch(n -> n.startsWith("kafka.streamtune."));
            app.close();
            assertTimeoutPreemptively(Duration.ofSeconds(10), app::awaitTermination);
            assertThat(app.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
        } finally {
            IngestHarness.deleteRecursively(stateDir);
        }
    }
}
