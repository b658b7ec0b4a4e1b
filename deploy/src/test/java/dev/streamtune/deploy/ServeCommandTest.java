package dev.streamtune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker the other tests rely on must itself refuse what the application would refuse. */
class ServeCommandTest {

    @Test
    void parsesServiceOptionsAndPorts() {
        ServeCommand trainer = ServeCommand.parse(List.of("serve", "trainer", "--task", "spam", "--device=gpu"));
        assertThat(trainer.service()).isEqualTo("trainer");
        assertThat(trainer.options()).containsEntry("--task", "spam").containsEntry("--device", "gpu");
        assertThat(trainer.metricsPort()).isEqualTo(9400);
        assertThat(ServeCommand.parse(List.of("serve", "trainer", "--all-tasks", "--device", "cpu")).options())
                .containsEntry("--all-tasks", "true").containsEntry("--device", "cpu");

        assertThat(ServeCommand.parse(List.of("serve", "dashboard")).metricsPort()).isEqualTo(8080);
        assertThat(ServeCommand.parse(List.of("serve", "dashboard", "--port", "9000")).metricsPort()).isEqualTo(9000);
        assertThat(ServeCommand.parse(List.of("serve", "registry")).httpPort()).isEqualTo(8081);
        assertThat(ServeCommand.parse(List.of("serve", "registry", "--metrics-port", "9500")).metricsPort()).isEqualTo(9500);
    }

    @Test
    void refusesWhatTheApplicationWouldRefuse() {
        assertThatThrownBy(() -> ServeCommand.parse(List.of("run", "ingest")))
                .hasMessageContaining("serve <service>");
        assertThatThrownBy(() -> ServeCommand.parse(List.of("serve", "ingester")))
                .hasMessageContaining("unknown service 'ingester'");
        assertThatThrownBy(() -> ServeCommand.parse(List.of("serve", "ingest", "--task", "spam")))
                .hasMessageContaining("--task is not an option of 'serve ingest'");
        assertThatThrownBy(() -> ServeCommand.parse(List.of("serve", "dashboard", "--all-tasks")))
                .hasMessageContaining("--all-tasks is not an option of 'serve dashboard'");
        assertThatThrownBy(() -> ServeCommand.parse(List.of("serve", "trainer", "--device", "tpu")))
                .hasMessageContaining("--device must be one of");
        assertThatThrownBy(() -> ServeCommand.parse(List.of("serve", "dashboard", "--port", "http")))
                .hasMessageContaining("--port must be a port number");
        assertThatThrownBy(() -> ServeCommand.parse(List.of("serve", "trainer", "--task")))
                .hasMessageContaining("not an option with a value");
        assertThatThrownBy(() -> ServeCommand.parse(List.of("serve", "trainer", "--task", "a", "--task", "b")))
                .hasMessageContaining("given twice");
    }
}
