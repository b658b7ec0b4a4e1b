package dev.streamtune.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.schemas.KafkaClientProperties;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class RegistryConfigTest {

    @Test
    void defaultsUseTheConfluentTopicNameTheLoopbackAndBoundedLimits() {
        RegistryConfig config = RegistryConfig.of(0, "localhost:9092");
        assertThat(config.topic()).isEqualTo("_schemas");
        assertThat(config.http().threads()).isEqualTo(8);
        assertThat(config.http().bindAddress()).isEqualTo("127.0.0.1");
        assertThat(config.limits()).isEqualTo(new RegistryLimits(10_000, 1_000, 1 << 20));
        assertThat(config.http().maxBodyBytes()).isGreaterThanOrEqualTo(2 * (1 << 20));
        assertThat(config.writeCredentials()).isEmpty();
        assertThat(config.withBindAddress("0.0.0.0").http().bindAddress()).isEqualTo("0.0.0.0");
    }

    @Test
    void rejectsInvalidValuesNamingFieldAndLimit() {
        assertThatThrownBy(() -> RegistryConfig.of(65_536, "localhost:9092"))
                .hasMessageContaining("port").hasMessageContaining("65535");
        assertThatThrownBy(() -> RegistryConfig.of(0, " "))
                .hasMessageContaining("bootstrapServers");
        assertThatThrownBy(() -> RegistryConfig.of(0, "k:9092").withTopic("bad topic!"))
                .hasMessageContaining("topic").hasMessageContaining("bad topic!");
        RegistryConfig valid = RegistryConfig.of(0, "k:9092");
        assertThatThrownBy(() -> valid.withHttp(valid.http().withThreads(0)))
                .hasMessageContaining("threads").hasMessageContaining("256");
        assertThatThrownBy(() -> new RegistryConfig(valid.http(), "k:9092", "_schemas", Duration.ZERO, valid.limits(),
                Optional.empty(), KafkaClientProperties.none())).hasMessageContaining("kafkaTimeout");
        assertThatThrownBy(() -> valid.withHttp(valid.http().withMaxBodyBytes(1_000)))
                .hasMessageContaining("maxBodyBytes").hasMessageContaining("maxSchemaBytes");
    }

    @Test
    void limitsAreCheckedAndTheBodyLimitFollowsTheSchemaLimit() {
        assertThatThrownBy(() -> new RegistryLimits(0, 10, 1_000)).hasMessageContaining("maxSubjects");
        assertThatThrownBy(() -> new RegistryLimits(10, 0, 1_000)).hasMessageContaining("maxVersionsPerSubject");
        assertThatThrownBy(() -> new RegistryLimits(10, 10, 32 << 20)).hasMessageContaining("maxSchemaBytes")
                .hasMessageContaining(Integer.toString(RegistryLimits.MAX_SCHEMA_BYTES));
        RegistryConfig bigger = RegistryConfig.of(0, "k:9092").withLimits(new RegistryLimits(10, 10, 8 << 20));
        assertThat(bigger.http().maxBodyBytes()).isGreaterThanOrEqualTo(16 << 20);
    }
}
