package dev.streamtune.featurizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.schemas.KafkaClientProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FeaturizerServiceConfigTest {
    private static final FeaturizerServiceConfig D = FeaturizerServiceConfig.defaults("b:9092", "http://r:8081");

    @Test
    void defaultsAreMiniLmInOneTransactionPerBatch() {
        assertThat(D.backboneId()).isEqualTo("all-MiniLM-L6-v2");
        assertThat(D.batchSize()).isEqualTo(32);
        assertThat(D.maxTokens()).isEqualTo(256);
        assertThat(D.maxWait()).isEqualTo(Duration.ofMillis(200));
        assertThat(D.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(D.topics().train()).isEqualTo("examples.train");
        assertThat(D.featurizerConfig().transactionalId()).isEqualTo("streamtune-featurizer-0");
        assertThat(D.featurizerConfig().transactionSize()).isEqualTo(32);
        assertThat(D.embedderConfig().batchSize()).isEqualTo(32);
        assertThat(D.embedderConfig().maxTokens()).isEqualTo(256);
        assertThat(D.kafkaClient()).isEqualTo(KafkaClientProperties.none());
    }

    @Test
    void badSettingsNameTheFieldAndTheLimit() {
        assertThatThrownBy(() -> FeaturizerServiceConfig.defaults(" ", "http://r")).hasMessageContaining("bootstrap must not be blank");
        assertThatThrownBy(() -> with(0, Duration.ofMillis(200), 256, 1))
                .hasMessageContaining("batch-size must be between 1 and 4096, was 0");
        assertThatThrownBy(() -> with(32, Duration.ofMillis(-1), 256, 1)).hasMessageContaining("max-wait-ms must be between 0 and 300000");
        assertThatThrownBy(() -> with(32, Duration.ofMillis(200), 1, 1)).hasMessageContaining("max-tokens must be between 2 and 8192, was 1");
        assertThatThrownBy(() -> with(32, Duration.ofMillis(200), 256, 0))
                .hasMessageContaining("batches-per-transaction must be between 1 and");
        assertThat(with(32, Duration.ofMillis(200), 256, 4).featurizerConfig().transactionSize()).isEqualTo(4 * 32);
    }

    private static FeaturizerServiceConfig with(int batchSize, Duration maxWait, int maxTokens, int batchesPerTransaction) {
        return new FeaturizerServiceConfig(D.bootstrapServers(), D.registryUrl(), D.backboneId(), batchSize, maxWait, maxTokens,
                D.threads(), D.topicPrefix(), D.groupId(), D.transactionalId(), D.featuresPartitions(), D.statusInterval(),
                batchesPerTransaction, D.kafkaClient());
    }
}
