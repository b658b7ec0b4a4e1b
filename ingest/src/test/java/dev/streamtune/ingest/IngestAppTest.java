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
            app.close();
            assertTimeoutPreemptively(Duration.ofSeconds(10), app::awaitTermination);
            assertThat(app.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
        } finally {
            IngestHarness.deleteRecursively(stateDir);
        }
    }
}
