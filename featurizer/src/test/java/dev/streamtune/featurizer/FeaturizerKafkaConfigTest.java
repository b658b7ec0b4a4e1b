package dev.streamtune.featurizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.schemas.KafkaClientProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka security settings reach the featurizer's consumer and producer, beside the settings it owns. */
class FeaturizerKafkaConfigTest {

    @Test
    void bothClientsGetTheSettingsFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("featurizer.properties"), "security.protocol=SSL\n");
        FeaturizerServiceConfig config = FeaturizerServiceConfig.defaults("b:1", "http://r")
                .withKafkaClient(KafkaClientProperties.load(file));

        assertThat(FeaturizerService.consumerProperties(config)).containsEntry("security.protocol", "SSL")
                .containsEntry("isolation.level", "read_committed");
        assertThat(FeaturizerService.producerProperties(config)).containsEntry("security.protocol", "SSL")
                .containsEntry("transactional.id", "streamtune-featurizer-0");
        assertThat(FeaturizerService.producerProperties(FeaturizerServiceConfig.defaults("b:1", "http://r")))
                .doesNotContainKey("security.protocol");
    }
}
