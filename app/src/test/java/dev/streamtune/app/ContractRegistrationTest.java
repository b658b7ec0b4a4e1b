package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.platform.StreamtuneAcls;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.ContractSchemas;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Which contract subjects each {@code serve} service registers at start (the topics its ACLs let it read or write),
 * and when users' producers register their schema themselves ({@code --auto-register-schemas}).
 */
class ContractRegistrationTest {
    private static final List<String> BACKBONES = List.of(LocalPipeline.BACKBONE);

    private static List<String> subjectsOf(String principal) {
        Topics topics = Topics.defaults();
        return ContractSchemas.subjectsOf(topics, BACKBONES, StreamtuneAcls.topicsReadOrWritten(principal, topics, BACKBONES))
                .stream().map(ContractSchemas.Subject::name).toList();
    }

    @Test
    void eachServiceRegistersTheSubjectsOfTheTopicsItReadsOrWrites() {
        assertThat(subjectsOf(StreamtuneAcls.INGEST)).containsExactly("examples.raw-value", "examples.train-value",
                "examples.validation-value", "examples.test-value", "tasks-value");
        assertThat(subjectsOf(StreamtuneAcls.FEATURIZER)).containsExactly("examples.train-value",
                "examples.validation-value", "examples.test-value", "features.all-minilm-l6-v2-value");
        assertThat(subjectsOf(StreamtuneAcls.TRAINER)).containsExactly("examples.train-value", "tasks-value",
                "features.all-minilm-l6-v2-value", "models.candidates-value", "models.updates-value", "metrics-value");
        assertThat(subjectsOf(StreamtuneAcls.EVALUATOR)).containsExactly("examples.train-value",
                "examples.validation-value", "examples.test-value", "features.all-minilm-l6-v2-value",
                "models.candidates-value", "models.updates-value", "metrics-value");
        // the dead-letter topic carries the rejected bytes as they came: no subject
        assertThat(subjectsOf(StreamtuneAcls.DASHBOARD)).containsExactly("models.updates-value", "metrics-value");
        assertThat(subjectsOf(StreamtuneAcls.REGISTRY)).isEmpty();
    }

    @Test
    void producersRegisterOnlyAgainstARegistryOnThisMachineUnlessTold() {
        assertThat(ConnectionOptions.of("localhost:9092", "http://localhost:8081").serde().autoRegisterSchemas()).isTrue();
        assertThat(ConnectionOptions.of("localhost:9092", "http://127.0.0.1:8081").serde().autoRegisterSchemas()).isTrue();
        assertThat(ConnectionOptions.of("kafka:9092", "http://schema-registry:8081").serde().autoRegisterSchemas()).isFalse();
        assertThat(ConnectionOptions.of("kafka:9092", "http://localhost:8081,http://registry-2:8081").serde()
                .autoRegisterSchemas()).as("any remote URL").isFalse();

        ProduceCommand told = new ProduceCommand();
        new CommandLine(told).parseArgs("-r", "http://schema-registry:8081", "--auto-register-schemas", "true", "x.jsonl");
        assertThat(told.connection.serde().autoRegisterSchemas()).isTrue();
        ProduceCommand off = new ProduceCommand();
        new CommandLine(off).parseArgs("--auto-register-schemas", "FALSE", "x.jsonl");
        assertThat(off.connection.serde().autoRegisterSchemas()).isFalse();

        ProduceCommand bad = new ProduceCommand();
        new CommandLine(bad).parseArgs("--auto-register-schemas", "yes", "x.jsonl");
        assertThatThrownBy(() -> bad.connection.serde()).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--auto-register-schemas must be true, false or auto, got 'yes'");
    }
}
