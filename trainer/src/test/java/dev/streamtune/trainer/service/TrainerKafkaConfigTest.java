package dev.streamtune.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.schemas.KafkaClientProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's main takes the Kafka security settings file from its flag or the environment. */
class TrainerKafkaConfigTest {

    @Test
    void theFlagWinsOverTheEnvironment(@TempDir Path dir) throws Exception {
        Path flag = Files.writeString(dir.resolve("flag.properties"), "security.protocol=SSL\n");
        Path env = Files.writeString(dir.resolve("env.properties"), "security.protocol=SASL_SSL\n");
        Map<String, String> environment = Map.of("STREAMTUNE_TASK", "spam", KafkaClientProperties.ENV, env.toString());

        assertThat(TrainerServiceMain.parse(new String[] {"--kafka-config", flag.toString()}, environment::get)
                .kafkaClient().securityProtocol()).isEqualTo("SSL");
        assertThat(TrainerServiceMain.parse(new String[0], environment::get).kafkaClient().securityProtocol())
                .isEqualTo("SASL_SSL");
        assertThat(TrainerServiceMain.parse(new String[0], Map.of("STREAMTUNE_TASK", "spam")::get).kafkaClient())
                .isEqualTo(KafkaClientProperties.none());
    }

    @Test
    void aBadFileIsAnArgumentErrorNamingTheSetting(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.properties"), "transactional.id=someone-else\n");
        assertThatThrownBy(() -> TrainerServiceMain.parse(new String[] {"--task", "spam", "--kafka-config", bad.toString()},
                k -> null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transactional.id");
    }
}
