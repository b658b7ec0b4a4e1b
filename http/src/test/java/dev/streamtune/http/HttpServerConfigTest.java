package dev.streamtune.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HttpServerConfigTest {

    @Test
    void defaultsBindTheLoopbackWithEveryLimitSet() {
        HttpServerConfig config = HttpServerConfig.localhost("registry", 8081);
        assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.writeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.maxConnections()).isEqualTo(256);
        assertThat(config.maxHeaderBytes()).isEqualTo(16 * 1024);
        assertThat(config.maxBodyBytes()).isEqualTo(1 << 20);
        assertThat(config.clientHost()).isEqualTo("localhost");
        assertThat(config.withBindAddress("0.0.0.0").clientHost()).isEqualTo("localhost");
        assertThat(config.withBindAddress("10.1.2.3").clientHost()).isEqualTo("10.1.2.3");
        assertThat(config.withBindAddress("::1").clientHost()).isEqualTo("[::1]");
    }

    @Test
    void everyFieldIsCheckedWithItsNameAndLimit() {
        HttpServerConfig valid = HttpServerConfig.localhost("x", 0);
        assertThatThrownBy(() -> HttpServerConfig.localhost("bad name", 0)).hasMessageContaining("name");
        assertThatThrownBy(() -> valid.withBindAddress(" ")).hasMessageContaining("bindAddress");
        assertThatThrownBy(() -> valid.withPort(70_000)).hasMessageContaining("port").hasMessageContaining("65535");
        assertThatThrownBy(() -> valid.withThreads(0)).hasMessageContaining("threads").hasMessageContaining("256");
        assertThatThrownBy(() -> valid.withMaxConnections(0)).hasMessageContaining("maxConnections")
                .hasMessageContaining("10000");
        assertThatThrownBy(() -> valid.withTimeouts(Duration.ofMillis(10), Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessageContaining("requestTimeout").hasMessageContaining("PT0.1S");
        assertThatThrownBy(() -> valid.withTimeouts(Duration.ofSeconds(1), Duration.ofHours(2), Duration.ofSeconds(1)))
                .hasMessageContaining("idleTimeout").hasMessageContaining("PT1H");
        assertThatThrownBy(() -> valid.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), null))
                .hasMessageContaining("writeTimeout");
        assertThatThrownBy(() -> valid.withMaxHeaderBytes(100)).hasMessageContaining("maxHeaderBytes")
                .hasMessageContaining("1024");
        assertThatThrownBy(() -> valid.withMaxBodyBytes(-1)).hasMessageContaining("maxBodyBytes");
    }
}
