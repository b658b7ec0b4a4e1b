package dev.streamtune.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class BrokerConfigTest {

    @Test
    void defaultsUseEphemeralPortsAndATemporaryDirectory() {
        BrokerConfig config = BrokerConfig.defaults();
        assertThat(config.port()).isZero();
        assertThat(config.controllerPort()).isZero();
        assertThat(config.dataDirectory()).isEmpty();
        assertThat(config.defaultPartitions()).isEqualTo(1);
    }

    @Test
    void rejectsPortsOutsideTheValidRangeNamingTheField() {
        assertThatThrownBy(() -> BrokerConfig.defaults().withPort(70_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port").hasMessageContaining("65535").hasMessageContaining("70000");
        assertThatThrownBy(() -> BrokerConfig.defaults().withControllerPort(-1))
                .hasMessageContaining("controllerPort");
    }

    @Test
    void rejectsTheSameFixedPortForClientsAndController() {
        assertThatThrownBy(() -> BrokerConfig.defaults().withPort(9092).withControllerPort(9092))
                .hasMessageContaining("must differ");
    }

    @Test
    void rejectsPartitionCountsOutsideTheLimit() {
        assertThatThrownBy(() -> BrokerConfig.defaults().withDefaultPartitions(0))
                .hasMessageContaining("defaultPartitions").hasMessageContaining("1000");
    }

    @Test
    void rejectsNonPositiveStartupTimeout() {
        assertThatThrownBy(() -> BrokerConfig.defaults().withStartupTimeout(Duration.ZERO))
                .hasMessageContaining("startupTimeout");
    }

    @Test
    void overridesAreCopiedSoLaterChangesDoNotLeakIn() {
        Map<String, String> overrides = new HashMap<>(Map.of("log.retention.ms", "1000"));
        BrokerConfig config = BrokerConfig.defaults().withOverrides(overrides);
        overrides.put("num.partitions", "7");
        assertThat(config.overrides()).containsOnlyKeys("log.retention.ms");
    }

    @Test
    void overridesWinOverTheSingleNodeDefaults() {
        BrokerConfig config = BrokerConfig.defaults().withDefaultPartitions(3)
                .withOverrides(Map.of("log.segment.bytes", "1048576"));
        var props = EmbeddedKafkaBroker.brokerProperties(config, Path.of("/tmp/x"), 1234, 1235);
        assertThat(props.getProperty("log.segment.bytes")).isEqualTo("1048576");
        assertThat(props.getProperty("num.partitions")).isEqualTo("3");
        assertThat(props.getProperty("transaction.state.log.min.isr")).isEqualTo("1");
        assertThat(props.getProperty("advertised.listeners")).isEqualTo("PLAINTEXT://localhost:1234");
        assertThat(props.getProperty("controller.quorum.voters")).isEqualTo("1@localhost:1235");
    }
}
