package dev.streamtune.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DashboardConfigTest {
    private final DashboardConfig valid = DashboardConfig.of(0, "localhost:9092", "http://localhost:8081");

    @Test
    void defaultsWatchEveryGroupOnTheStandardTopics() {
        assertThat(valid.topics()).isEqualTo(Topics.defaults());
        assertThat(valid.watchedGroups()).isEmpty();
        assertThat(valid.port()).isZero();
        assertThat(valid.http().bindAddress()).isEqualTo("127.0.0.1");
        assertThat(valid.withBindAddress("0.0.0.0").http().bindAddress()).isEqualTo("0.0.0.0");
    }

    @Test
    void badValuesAreRefusedNamingTheFieldAndTheLimit() {
        assertThatThrownBy(() -> DashboardConfig.of(70_000, "k:9092", "http://r"))
                .hasMessageContaining("port").hasMessageContaining("65535").hasMessageContaining("70000");
        assertThatThrownBy(() -> DashboardConfig.of(0, " ", "http://r")).hasMessageContaining("bootstrapServers");
        assertThatThrownBy(() -> DashboardConfig.of(0, "k:9092", null)).hasMessageContaining("registryUrl");
        assertThatThrownBy(() -> valid.withLagPollInterval(Duration.ofMillis(5)))
                .hasMessageContaining("lagPollInterval").hasMessageContaining("PT0.1S");
        assertThatThrownBy(() -> valid.withHeartbeatInterval(Duration.ofHours(1)))
                .hasMessageContaining("heartbeatInterval").hasMessageContaining("PT5M");
        assertThatThrownBy(() -> valid.withWatchedGroups(List.of("ok", ""))).hasMessageContaining("watchedGroups");
        assertThatThrownBy(() -> valid.withTopics(null)).hasMessageContaining("topics");
        assertThatThrownBy(() -> valid.withMaxEventClients(0)).hasMessageContaining("maxEventClients");
        assertThatThrownBy(() -> new DashboardConfig(valid.http(), "k", "r", Topics.defaults(), List.of(),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 4, 5, KafkaClientProperties.none())).hasMessageContaining("seriesLimit")
                .hasMessageContaining("10");
        assertThatThrownBy(() -> valid.withHttp(valid.http().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(10),
                Duration.ofSeconds(1)))).hasMessageContaining("heartbeatInterval").hasMessageContaining("idleTimeout");
    }

    @Test
    void theWatchedGroupsAreCopied() {
        List<String> groups = new ArrayList<>(List.of("a"));
        DashboardConfig config = valid.withWatchedGroups(groups);
        groups.add("b");
        assertThat(config.watchedGroups()).containsExactly("a");
    }
}
