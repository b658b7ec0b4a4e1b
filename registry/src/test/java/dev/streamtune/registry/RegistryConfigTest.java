package dev.streamtune.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.schemas.KafkaClientProperties;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class RegistryConfigTest {

    @Test
    void defaultsUseTheConfluentTopicName() {
        RegistryConfig config = RegistryConfig.of(0, "localhost:9092");
        assertThat(config.topic()).isEqualTo("_schemas");
        assertThat(config.handlerThreads()).isEqualTo(8);
    }

    @Test
    void rejectsInvalidValuesNamingFieldAndLimit() {
        assertThatThrownBy(() -> RegistryConfig.of(65_536, "localhost:9092"))
                .hasMessageContaining("port").hasMessageContaining("65535");
        assertThatThrownBy(() -> RegistryConfig.of(0, " "))
                .hasMessageContaining("bootstrapServers");
        assertThatThrownBy(() -> RegistryConfig.of(0, "k:9092").withTopic("bad topic!"))
                .hasMessageContaining("topic").hasMessageContaining("bad topic!");
        assertThatThrownBy(() -> new RegistryConfig("localhost", 0, "k:9092", "_schemas", 0, Duration.ofSeconds(1),
                KafkaClientProperties.none()))
                .hasMessageContaining("handlerThreads").hasMessageContaining("256");
        assertThatThrownBy(() -> new RegistryConfig("localhost", 0, "k:9092", "_schemas", 4, Duration.ZERO,
                KafkaClientProperties.none()))
                .hasMessageContaining("kafkaTimeout");
    }
}
