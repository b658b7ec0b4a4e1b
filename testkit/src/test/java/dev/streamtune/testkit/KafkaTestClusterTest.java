package dev.streamtune.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KafkaTestClusterTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(KafkaTestCluster.KIND_PROPERTY);
    }

    @Test
    void kindCanBeForcedBySystemProperty() {
        System.setProperty(KafkaTestCluster.KIND_PROPERTY, "Embedded");
        assertThat(KafkaTestCluster.chooseKind()).isEqualTo(KafkaTestCluster.Kind.EMBEDDED);
        System.setProperty(KafkaTestCluster.KIND_PROPERTY, "testcontainers");
        assertThat(KafkaTestCluster.chooseKind()).isEqualTo(KafkaTestCluster.Kind.TESTCONTAINERS);
    }

    @Test
    void anUnknownForcedKindIsRejectedWithTheAllowedValues() {
        System.setProperty(KafkaTestCluster.KIND_PROPERTY, "podman");
        assertThatThrownBy(KafkaTestCluster::chooseKind)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(KafkaTestCluster.KIND_PROPERTY)
                .hasMessageContaining("embedded or testcontainers")
                .hasMessageContaining("podman");
    }

    @Test
    void dockerProbeAnswersPromptlyAndAgreesWithTheChosenKind() {
        long startedAt = System.nanoTime();
        boolean docker = KafkaTestCluster.dockerAvailable();
        assertThat(Duration.ofNanos(System.nanoTime() - startedAt)).isLessThan(Duration.ofSeconds(25));
        assertThat(KafkaTestCluster.chooseKind())
                .isEqualTo(docker ? KafkaTestCluster.Kind.TESTCONTAINERS : KafkaTestCluster.Kind.EMBEDDED);
    }
}
