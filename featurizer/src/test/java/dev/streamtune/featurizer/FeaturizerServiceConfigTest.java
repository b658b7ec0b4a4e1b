package dev.streamtune.featurizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeaturizerServiceConfigTest {

    @Test
    void flagsWinOverTheEnvironmentAndDefaultsFillTheRest() {
        FeaturizerServiceConfig c = FeaturizerServiceConfig.parse(
                new String[] {"--bootstrap", "b:9092", "--batch-size", "8", "--topic-prefix", "x."},
                Map.of("STREAMTUNE_BOOTSTRAP_SERVERS", "env:9092", "STREAMTUNE_SCHEMA_REGISTRY_URL", "http://r:8081",
                        "STREAMTUNE_FEATURIZER_MAX_TOKENS", "64", "STREAMTUNE_FEATURIZER_BATCH_SIZE", "99"));
        assertThat(c.bootstrapServers()).isEqualTo("b:9092");
        assertThat(c.registryUrl()).isEqualTo("http://r:8081");
        assertThat(c.batchSize()).isEqualTo(8);
        assertThat(c.maxTokens()).isEqualTo(64);
        assertThat(c.maxWait()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.backboneId()).isEqualTo("all-MiniLM-L6-v2");
        assertThat(c.topics().train()).isEqualTo("x.examples.train");
        assertThat(c.featurizerConfig().transactionalId()).isEqualTo("streamtune-featurizer-0");
        assertThat(c.embedderConfig().batchSize()).isEqualTo(8);
        assertThat(c.embedderConfig().maxTokens()).isEqualTo(64);
        assertThat(c.batchesPerTransaction()).isEqualTo(1);
        assertThat(FeaturizerServiceConfig.parse(new String[] {"--batches-per-transaction", "4"},
                Map.of("STREAMTUNE_BOOTSTRAP_SERVERS", "b:1", "STREAMTUNE_SCHEMA_REGISTRY_URL", "http://r"))
                .featurizerConfig().transactionSize()).isEqualTo(4 * 32);
    }

    @Test
    void badSettingsNameTheFlagAndTheLimit() {
        Map<String, String> env = Map.of("STREAMTUNE_BOOTSTRAP_SERVERS", "b:1", "STREAMTUNE_SCHEMA_REGISTRY_URL", "http://r");
        assertThatThrownBy(() -> FeaturizerServiceConfig.parse(new String[] {}, Map.of()))
                .hasMessageContaining("--bootstrap").hasMessageContaining("STREAMTUNE_BOOTSTRAP_SERVERS");
        assertThatThrownBy(() -> FeaturizerServiceConfig.parse(new String[] {"--batch-size", "0"}, env))
                .hasMessageContaining("batch-size must be between 1 and 4096, was 0");
        assertThatThrownBy(() -> FeaturizerServiceConfig.parse(new String[] {"--max-tokens", "lots"}, env))
                .hasMessageContaining("--max-tokens must be an integer");
        assertThatThrownBy(() -> FeaturizerServiceConfig.parse(new String[] {"--max-wait-ms", "-1"}, env))
                .hasMessageContaining("max-wait-ms");
        assertThatThrownBy(() -> FeaturizerServiceConfig.parse(new String[] {"--nope", "1"}, env))
                .hasMessageContaining("unknown argument '--nope'");
        assertThatThrownBy(() -> FeaturizerServiceConfig.parse(new String[] {"--threads"}, env))
                .hasMessageContaining("--threads needs a value");
    }
}
