package dev.streamtune.evaluator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.streamtune.testkit.RecordFields.changed;

import dev.streamtune.evaluator.GateConfig;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EvaluatorConfigTest {
    private static final EvaluatorConfig DEFAULTS = EvaluatorConfig.defaults("localhost:9092", "http://localhost:8081");

    @Test
    void defaultsFollowTheStandardTopicsAndMiniLmFeatures() {
        assertThat(DEFAULTS.featureTopics()).containsExactly("features.all-minilm-l6-v2");
        assertThat(DEFAULTS.topics()).isEqualTo(Topics.defaults());
        assertThat(DEFAULTS.gate()).isEqualTo(GateConfig.defaults());
        assertThat(DEFAULTS.artifactDirectory()).isEmpty();
        assertThat(DEFAULTS.withArtifactDirectory(Path.of("/tmp/a")).artifactDirectory()).contains(Path.of("/tmp/a"));
        assertThat(DEFAULTS.withTopics(Topics.withPrefix("staging.")).featureTopics())
                .containsExactly("staging.features.all-minilm-l6-v2");
    }

    @Test
    void badValuesAreRefusedNamingTheFieldAndTheLimit() {
        assertThatThrownBy(() -> EvaluatorConfig.defaults(" ", "http://r")).hasMessageContaining("bootstrapServers");
        assertThatThrownBy(() -> EvaluatorConfig.defaults("k:9092", null)).hasMessageContaining("registryUrl");
        assertThatThrownBy(() -> DEFAULTS.withApplicationId("")).hasMessageContaining("applicationId");
        assertThatThrownBy(() -> DEFAULTS.withPrequential(0, Duration.ofSeconds(1)))
                .hasMessageContaining("prequentialWindow must be in [1, 10000000], got 0");
        assertThatThrownBy(() -> DEFAULTS.withPrequential(10, Duration.ofMillis(5)))
                .hasMessageContaining("prequentialInterval must be between PT0.1S and PT1H");
        assertThatThrownBy(() -> new EvaluatorConfig("k", "r", Topics.defaults(), List.of(), GateConfig.defaults(), 10,
                Duration.ofSeconds(1), Optional.empty(), "a", Duration.ofMillis(100), KafkaClientProperties.none(), 100))
                .hasMessageContaining("backbones must name at least one");
        assertThatThrownBy(() -> new EvaluatorConfig("k", "r", Topics.defaults(), List.of("m"), GateConfig.defaults(), 10,
                Duration.ofSeconds(1), Optional.empty(), "a", Duration.ofMinutes(1), KafkaClientProperties.none(), 100))
                .hasMessageContaining("pollTimeout must be between");
        assertThatThrownBy(() -> new EvaluatorConfig("k", "r", Topics.defaults(), List.of("m"), null, 10,
                Duration.ofSeconds(1), Optional.empty(), "a", Duration.ofMillis(100), KafkaClientProperties.none(), 100))
                .hasMessageContaining("gate must not be null");
        assertThatThrownBy(() -> DEFAULTS.withMaxHeldOut(0)).hasMessageContaining("maxHeldOut must be in [1, 10000000], got 0");
        assertThat(DEFAULTS.withMaxHeldOut(7).maxHeldOut()).isEqualTo(7);
    }

    @Test
    void eachWithChangesOnlyTheFieldsItNames() {
        assertThat(changed(DEFAULTS, DEFAULTS.withGate(GateConfig.defaults().withMaxLabels(3)))).containsExactly("gate");
        assertThat(changed(DEFAULTS, DEFAULTS.withPrequential(9, Duration.ofSeconds(9))))
                .containsExactly("prequentialWindow", "prequentialInterval");
        assertThat(changed(DEFAULTS, DEFAULTS.withArtifactDirectory(Path.of("a")))).containsExactly("artifactDirectory");
        assertThat(changed(DEFAULTS, DEFAULTS.withApplicationId("other"))).containsExactly("applicationId");
        assertThat(changed(DEFAULTS, DEFAULTS.withTopics(Topics.withPrefix("staging.")))).containsExactly("topics");
        assertThat(changed(DEFAULTS, DEFAULTS.withMaxHeldOut(7))).containsExactly("maxHeldOut");
        assertThat(changed(DEFAULTS, DEFAULTS.withKafkaClient(KafkaClientProperties.of(Map.of("security.protocol", "SSL")))))
                .containsExactly("kafkaClient");
    }
}
