package dev.streamtune.featurizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --kafka-config / STREAMTUNE_KAFKA_CONFIG reach the featurizer's consumer and producer. */
class FeaturizerKafkaConfigTest {

    @Test
    void theFlagOrTheEnvironmentNamesTheFileAndBothClientsGetIt(@TempDir Path dir) throws Exception {
        Path flag = Files.writeString(dir.resolve("flag.properties"), "security.protocol=SSL\n");
        Path env = Files.writeString(dir.resolve("env.properties"), "security.protocol=SASL_PLAINTEXT\n");
        Map<String, String> environment = Map.of("STREAMTUNE_BOOTSTRAP_SERVERS", "b:1", "STREAMTUNE_SCHEMA_REGISTRY_URL", "http://r",
                "STREAMTUNE_KAFKA_CONFIG", env.toString());

        FeaturizerServiceConfig fromFlag = FeaturizerServiceConfig.parse(new String[] {"--kafka-config", flag.toString()},
                environment);
        FeaturizerServiceConfig fromEnv = FeaturizerServiceConfig.parse(new String[0], environment);

        assertThat(FeaturizerService.consumerProperties(fromFlag)).containsEntry("security.protocol", "SSL")
                .containsEntry("isolation.level", "read_committed");
        assertThat(FeaturizerService.producerProperties(fromFlag)).containsEntry("security.protocol", "SSL")
                .containsEntry("transactional.id", "streamtune-featurizer-0");
        assertThat(FeaturizerService.producerProperties(fromEnv)).containsEntry("security.protocol", "SASL_PLAINTEXT");
        assertThat(FeaturizerServiceConfig.usage()).contains("--kafka-config").contains("STREAMTUNE_KAFKA_CONFIG");
    }
}
