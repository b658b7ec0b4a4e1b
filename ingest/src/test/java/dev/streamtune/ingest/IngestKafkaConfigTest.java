package dev.streamtune.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.schemas.KafkaClientProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka security settings reach every client the ingest Streams app runs. */
class IngestKafkaConfigTest {

    @Test
    void theSettingsFileGoesIntoTheStreamsConfig(@TempDir Path dir) throws Exception {
        Path kafka = Files.writeString(dir.resolve("ingest-kafka.properties"),
                "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n");
        Properties streams = IngestConfig.defaults("kafka:29092", "http://registry:8081")
                .withKafkaClient(KafkaClientProperties.load(kafka)).streamsProperties(new IngestMetrics());

        assertThat(streams).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("processing.guarantee", "exactly_once_v2").containsEntry("bootstrap.servers", "kafka:29092");
    }

    @Test
    void withoutItTheStreamsConfigHasNoSecuritySettings() {
        Properties streams = IngestConfig.defaults("k:9092", "http://r").streamsProperties(new IngestMetrics());
        assertThat(streams.stringPropertyNames()).noneMatch(k -> k.startsWith("security.") || k.startsWith("sasl."));
    }
}
