package dev.streamtune.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.streamtune.testkit.RecordFields.changed;

import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import dev.streamtune.trainer.HeadConfig;
import dev.streamtune.trainer.OptimizerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerServiceConfigTest {
    private static final TrainerServiceConfig DEFAULTS = TrainerServiceConfig.defaults("localhost:9092",
            AvroSerdeConfig.of("http://localhost:8081"), "spam", Path.of("data/trainer/spam"));

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertThat(DEFAULTS.backboneId()).isEqualTo("all-MiniLM-L6-v2");
        assertThat(DEFAULTS.microBatchSize()).isEqualTo(32);
        assertThat(DEFAULTS.publishEveryExamples()).isEqualTo(500);
        assertThat(DEFAULTS.publishInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(DEFAULTS.device()).isEqualTo("auto");
        assertThat(DEFAULTS.groupId()).isEqualTo("streamtune-trainer-spam");
        assertThat(DEFAULTS.topics().features(DEFAULTS.backboneId())).isEqualTo("features.all-minilm-l6-v2");
    }

    @Test
    void badValuesNameTheFieldAndTheLimit() {
        assertThatThrownBy(() -> DEFAULTS.withMicroBatch(0, Duration.ofMillis(10)))
                .hasMessageContaining("microBatchSize must be in [1, 65536], got 0");
        assertThatThrownBy(() -> DEFAULTS.withMicroBatch(32, Duration.ZERO))
                .hasMessageContaining("maxBatchWait must be in");
        assertThatThrownBy(() -> DEFAULTS.withPublishEvery(0, Duration.ofSeconds(1)))
                .hasMessageContaining("publishEveryExamples must be in [1, 1000000000], got 0");
        assertThatThrownBy(() -> DEFAULTS.withPublishEvery(10, Duration.ofMillis(5)))
                .hasMessageContaining("publishInterval must be in");
        assertThatThrownBy(() -> DEFAULTS.withDevice("tpu"))
                .hasMessageContaining("device must be auto, cpu, gpu or gpu:N, got 'tpu'");
        assertThatThrownBy(() -> DEFAULTS.withReplay(0.95f, 10)).hasMessageContaining("replayFraction");
        assertThatThrownBy(() -> TrainerServiceConfig.defaults(" ", DEFAULTS.serde(), "spam", Path.of("x")))
                .hasMessageContaining("bootstrapServers must not be blank");
        assertThatThrownBy(() -> TrainerServiceConfig.defaults("h:1", DEFAULTS.serde(), "sp am", Path.of("x")))
                .hasMessageContaining("task must be 1-200 characters of [A-Za-z0-9._-], got 'sp am'");
        assertThatThrownBy(() -> DEFAULTS.withArtifacts(Path.of("a"), 9 * 1024 * 1024))
                .hasMessageContaining("inlineDeltaLimit must be in [0, 8388608], got 9437184");
    }

    @Test
    void eachWithChangesOnlyTheFieldsItNames() {
        assertThat(changed(DEFAULTS, DEFAULTS.withTopics(Topics.withPrefix("staging.")))).containsExactly("topics");
        assertThat(changed(DEFAULTS, DEFAULTS.withBackbone("other"))).containsExactly("backboneId");
        assertThat(changed(DEFAULTS, DEFAULTS.withMicroBatch(8, Duration.ofSeconds(1))))
                .containsExactly("microBatchSize", "maxBatchWait");
        assertThat(changed(DEFAULTS, DEFAULTS.withPublishEvery(7, Duration.ofMinutes(2))))
                .containsExactly("publishEveryExamples", "publishInterval");
        assertThat(changed(DEFAULTS, DEFAULTS.withDevice("cpu"))).containsExactly("device");
        assertThat(changed(DEFAULTS, DEFAULTS.withSeed(7))).containsExactly("seed");
        assertThat(changed(DEFAULTS, DEFAULTS.withHead(HeadConfig.mlp(16, 0.1f)))).containsExactly("head");
        assertThat(changed(DEFAULTS, DEFAULTS.withOptimizer(OptimizerConfig.defaults()))).containsExactly("optimizer");
        assertThat(changed(DEFAULTS, DEFAULTS.withReplay(0.5f, 20)))
                .containsExactly("replayFraction", "replayCapacityPerClass");
        assertThat(changed(DEFAULTS, DEFAULTS.withClassWeighting(false))).containsExactly("classWeighting");
        assertThat(changed(DEFAULTS, DEFAULTS.withTaskSpecTimeout(Duration.ofMinutes(1))))
                .containsExactly("taskSpecTimeout");
        assertThat(changed(DEFAULTS, DEFAULTS.withStatusInterval(Duration.ofMinutes(1))))
                .containsExactly("statusInterval");
        assertThat(changed(DEFAULTS, DEFAULTS.withArtifacts(Path.of("elsewhere"), 10)))
                .containsExactly("artifactDirectory", "inlineDeltaLimit");
        assertThat(changed(DEFAULTS, DEFAULTS.withKafkaClient(KafkaClientProperties.of(Map.of("security.protocol", "SSL")))))
                .containsExactly("kafkaClient");
    }
}
