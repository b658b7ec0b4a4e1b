package dev.streamtune.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka security settings file reaches every client the ingest Streams app runs. */
class IngestKafkaConfigTest {

    @Test
    void theFileNamedInThePropertiesGoesIntoTheStreamsConfig(@TempDir Path dir) throws Exception {
        Path kafka = Files.writeString(dir.resolve("ingest-kafka.properties"),
                "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n");
        Properties props = new Properties();
        props.setProperty("bootstrap.servers", "kafka:29092");
        props.setProperty("schema.registry.url", "http://registry:8081");
        props.setProperty(IngestConfig.KAFKA_CONFIG_KEY, kafka.toString());

        Properties streams = IngestConfig.fromProperties(props).streamsProperties(new IngestMetrics());

        assertThat(streams).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("processing.guarantee", "exactly_once_v2").containsEntry("bootstrap.servers", "kafka:29092");
    }

    @Test
    void withoutItTheStreamsConfigHasNoSecuritySettings() {
        Properties streams = IngestConfig.defaults("k:9092", "http://r").streamsProperties(new IngestMetrics());
        assertThat(streams.stringPropertyNames()).noneMatch(k -> k.startsWith("security.") || k.startsWith("sasl."));
    }

    @Test
    void aBadFileFailsTheConfigNamingIt(@TempDir Path dir) throws Exception {
        Path kafka = Files.writeString(dir.resolve("bad.properties"), "application.id=other\n");
        Properties props = new Properties();
        props.setProperty("bootstrap.servers", "kafka:29092");
        props.setProperty("schema.registry.url", "http://registry:8081");
        props.setProperty(IngestConfig.KAFKA_CONFIG_KEY, kafka.toString());
        assertThatThrownBy(() -> IngestConfig.fromProperties(props)).hasMessageContaining(kafka.toString())
                .hasMessageContaining("application.id");
    }
}
