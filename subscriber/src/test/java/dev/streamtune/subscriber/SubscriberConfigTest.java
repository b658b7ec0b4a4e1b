package dev.streamtune.subscriber;

import dev.streamtune.loader.TestModels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.model.EmbedderConfig;
import dev.streamtune.schemas.KafkaClientProperties;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SubscriberConfigTest {
    private static final SubscriberConfig DEFAULTS = SubscriberConfig.of("localhost:9092", "http://localhost:8081",
            TestModels.EVALUATOR.asTrusted());

    @Test
    void defaultsFollowEveryTaskOnTheStandardTopicWithInlineDeltasOnly() {
        assertThat(DEFAULTS.updatesTopic()).isEqualTo("models.updates");
        assertThat(DEFAULTS.task()).isEmpty();
        assertThat(DEFAULTS.artifactDirectory()).isEmpty();
        assertThat(DEFAULTS.withTask("spam").task()).contains("spam");
        assertThat(DEFAULTS.withArtifactDirectory(Path.of("/a")).artifactDirectory()).contains(Path.of("/a"));
        assertThat(DEFAULTS.withUpdatesTopic("staging.models.updates").updatesTopic()).isEqualTo("staging.models.updates");
    }

    @Test
    void badValuesAreRefusedNamingTheField() {
        assertThatThrownBy(() -> SubscriberConfig.of("", "http://r", TestModels.EVALUATOR.asTrusted())).hasMessageContaining("bootstrapServers");
        assertThatThrownBy(() -> SubscriberConfig.of("k:9092", " ", TestModels.EVALUATOR.asTrusted())).hasMessageContaining("registryUrl");
        assertThatThrownBy(() -> DEFAULTS.withTask(" ")).hasMessageContaining("task must be a non-blank");
        assertThatThrownBy(() -> DEFAULTS.withUpdatesTopic("")).hasMessageContaining("updatesTopic");
        assertThatThrownBy(() -> new SubscriberConfig("k", "r", "t", Optional.empty(), Optional.empty(),
                EmbedderConfig.defaults("all-MiniLM-L6-v2"), Duration.ofMinutes(1), TestModels.EVALUATOR.asTrusted(),
                KafkaClientProperties.none()))
                .hasMessageContaining("pollTimeout must be between 10 ms and 10 s");
        assertThatThrownBy(() -> new SubscriberConfig("k", "r", "t", Optional.empty(), null,
                EmbedderConfig.defaults("all-MiniLM-L6-v2"), Duration.ofSeconds(1), TestModels.EVALUATOR.asTrusted(),
                KafkaClientProperties.none()))
                .hasMessageContaining("artifactDirectory");
        assertThatThrownBy(() -> new SubscriberConfig("k", "r", "t", Optional.empty(), Optional.empty(),
                EmbedderConfig.defaults("all-MiniLM-L6-v2"), Duration.ofSeconds(1), null, KafkaClientProperties.none()))
                .hasMessageContaining("trustedKeys");
    }
}
