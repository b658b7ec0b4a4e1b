package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.featurizer.FeaturizerServiceConfig;
import dev.streamtune.trainer.service.TrainerServiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code serve}'s flags are the one way to configure a service: each reaches the service's validated record. */
class ServeOptionsTest {

    @Test
    void featurizerFlagsFillItsConfigAndTheRestAreTheDefaults() {
        ServeCommand serve = parse("featurizer", "-b", "k:9", "-r", "http://reg:1", "--topic-prefix", "x.", "--batch-size", "8",
                "--max-tokens", "64", "--threads", "3", "--transactional-id", "streamtune-featurizer-2",
                "--batches-per-transaction", "4");
        FeaturizerServiceConfig c = serve.featurizer.config(serve.connection.bootstrapServers, serve.connection.registryUrl,
                serve.connection.topicPrefix, serve.connection.kafkaClient());
        assertThat(c.bootstrapServers()).isEqualTo("k:9");
        assertThat(c.registryUrl()).isEqualTo("http://reg:1");
        assertThat(c.topics().train()).isEqualTo("x.examples.train");
        assertThat(c.batchSize()).isEqualTo(8);
        assertThat(c.maxTokens()).isEqualTo(64);
        assertThat(c.threads()).isEqualTo(3);
        assertThat(c.transactionalId()).isEqualTo("streamtune-featurizer-2");
        assertThat(c.featurizerConfig().transactionSize()).isEqualTo(4 * 8);
        assertThat(c.groupId()).isEqualTo(FeaturizerServiceConfig.DEFAULT_GROUP_ID);

        FeaturizerServiceConfig d = parse("featurizer").featurizer.config("k:1", "http://r", "", serve.connection.kafkaClient());
        FeaturizerServiceConfig defaults = FeaturizerServiceConfig.defaults("k:1", "http://r");
        assertThat(d).as("no flags: the record's own defaults, so the two cannot drift").isEqualTo(defaults);
    }

    @Test
    void aBadFeaturizerValueNamesItsFlagAndLimit() {
        ServeCommand serve = parse("featurizer", "--batch-size", "0");
        assertThatThrownBy(() -> serve.featurizer.config("k:1", "http://r", "", serve.connection.kafkaClient()))
                .hasMessageContaining("batch-size must be between 1 and 4096, was 0");
        assertThatThrownBy(() -> parse("featurizer", "--max-tokens", "lots"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--max-tokens");
    }

    @Test
    void trainerPublishCadenceReachesItsConfig() {
        TrainerServiceConfig c = parse("trainer", "--publish-every", "100", "--publish-interval-s", "2", "--data-dir", "/d")
                .trainerConfig("spam");
        assertThat(c.publishEveryExamples()).isEqualTo(100);
        assertThat(c.publishInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.checkpointDirectory()).isEqualTo(Path.of("/d/checkpoints/spam"));
        TrainerServiceConfig d = parse("trainer").trainerConfig("spam");
        assertThat(d.publishEveryExamples()).isEqualTo(TrainerServiceConfig.DEFAULT_PUBLISH_EVERY);
        assertThat(d.publishInterval()).isEqualTo(TrainerServiceConfig.DEFAULT_PUBLISH_INTERVAL);
    }

    private static ServeCommand parse(String... args) {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(args);
        return serve;
    }
}
