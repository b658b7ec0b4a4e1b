package dev.streamtune.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KafkaTestClusterTest {
    private static final Duration LIMIT = Duration.ofSeconds(5);

    @AfterEach
    void clearProperty() {
        System.clearProperty(KafkaTestCluster.KIND_PROPERTY);
    }

    @Test
    void kindCanBeForcedBySystemPropertyWithoutAskingDocker() {
        AtomicInteger probes = new AtomicInteger();
        Supplier<Boolean> probe = () -> {
            probes.incrementAndGet();
            return true;
        };
        System.setProperty(KafkaTestCluster.KIND_PROPERTY, "Embedded");
        assertThat(KafkaTestCluster.chooseKind(probe, LIMIT)).isEqualTo(KafkaTestCluster.Kind.EMBEDDED);
        System.setProperty(KafkaTestCluster.KIND_PROPERTY, "testcontainers");
        assertThat(KafkaTestCluster.chooseKind(() -> false, LIMIT)).isEqualTo(KafkaTestCluster.Kind.TESTCONTAINERS);
        assertThat(probes).as("a forced kind never probes Docker").hasValue(0);
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
    void withoutAForcedKindTheDockerAnswerDecides() {
        assertThat(KafkaTestCluster.chooseKind(() -> true, LIMIT)).isEqualTo(KafkaTestCluster.Kind.TESTCONTAINERS);
        assertThat(KafkaTestCluster.chooseKind(() -> false, LIMIT)).isEqualTo(KafkaTestCluster.Kind.EMBEDDED);
        assertThat(KafkaTestCluster.chooseKind(() -> null, LIMIT)).isEqualTo(KafkaTestCluster.Kind.EMBEDDED);
    }

    @Test
    void aFailingProbeMeansTheEmbeddedBroker() {
        assertThat(KafkaTestCluster.chooseKind(() -> {
            throw new IllegalStateException("no socket");
        }, LIMIT)).isEqualTo(KafkaTestCluster.Kind.EMBEDDED);
        assertThat(KafkaTestCluster.chooseKind(() -> {
            throw new NoClassDefFoundError("com/github/dockerjava/api/DockerClient");
        }, LIMIT)).isEqualTo(KafkaTestCluster.Kind.EMBEDDED);
    }

    @Test
    void aWedgedEngineMeansTheEmbeddedBrokerWhenTheLimitRunsOutNotAHungBuild() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Supplier<Boolean> hangs = () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        };
        long startedAt = System.nanoTime();
        KafkaTestCluster.Kind kind = KafkaTestCluster.chooseKind(hangs, Duration.ofMillis(300));
        Duration took = Duration.ofNanos(System.nanoTime() - startedAt);
        release.countDown();

        assertThat(kind).isEqualTo(KafkaTestCluster.Kind.EMBEDDED);
        assertThat(took).as("gave up at the limit").isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
    }

    @Test
    void theRealDockerProbeAnswersWithinItsLimit() {
        long startedAt = System.nanoTime();
        KafkaTestCluster.dockerAvailable();
        assertThat(Duration.ofNanos(System.nanoTime() - startedAt)).isLessThan(Duration.ofSeconds(25));
    }
}
