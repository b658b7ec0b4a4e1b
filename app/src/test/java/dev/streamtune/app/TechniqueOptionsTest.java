package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TechniqueOptionsTest {

    private static TechniqueOptions parse(String... args) {
        TaskCommand.Create create = new TaskCommand.Create();
        new CommandLine(create).parseArgs(args);
        return create.technique;
    }

    @Test
    void hybridIsTheDefaultAndItsSettingsAreChecked() {
        TechniqueOptions options = parse("spam", "--set", "lexical_buckets=65536", "--set", "c_grid=1,8,64");
        assertThat(options.technique).isEqualTo("hybrid");
        assertThat(options.encoder()).isFalse();
        assertThat(options.problem(List.of(), LocalPipeline.BACKBONE)).isNull();
        assertThat(parse("spam", "--set", "lexical_buckets=1000").problem(List.of("a", "b"), LocalPipeline.BACKBONE))
                .contains("--set").contains("lexical_buckets").contains("power of two");
    }

    @Test
    void headOnlyTakesItsHeadSettings() {
        TechniqueOptions options = parse("spam", "--technique", "head", "--set", "head=mlp");
        assertThat(options.technique).isEqualTo("head");
        assertThat(options.encoder()).isFalse();
        assertThat(options.problem(List.of(), LocalPipeline.BACKBONE)).isNull();
    }

    @Test
    void encoderTechniquesWithTheirSettingsAreAccepted() {
        TechniqueOptions lora = parse("spam", "--technique", "lora", "--set", "lora_rank=4", "--set", "max_tokens=64");
        assertThat(lora.encoder()).isTrue();
        assertThat(lora.settings).containsEntry("lora_rank", "4").containsEntry("max_tokens", "64");
        assertThat(lora.problem(List.of("ham", "spam"), LocalPipeline.BACKBONE)).isNull();
        TechniqueOptions attempt = parse("spam", "--technique", "attempt", "--set", "source_tasks=fortune,wordnet");
        assertThat(attempt.problem(List.of("ham", "spam"), LocalPipeline.BACKBONE)).isNull();
    }

    @Test
    void badChoicesNameTheOptionAndTheLimit() {
        assertThat(parse("spam", "--technique", "adapterz").problem(List.of("a"), LocalPipeline.BACKBONE))
                .contains("--technique").contains("unknown technique 'adapterz'");
        assertThat(parse("spam", "--technique", "prompt").problem(List.of(), LocalPipeline.BACKBONE))
                .contains("needs the task's labels");
        assertThat(parse("spam", "--technique", "attempt").problem(List.of("a"), LocalPipeline.BACKBONE))
                .contains("source_tasks");
        assertThat(parse("spam", "--technique", "lora", "--set", "lora_rank=0").problem(List.of("a"), LocalPipeline.BACKBONE))
                .contains("--set").contains("lora_rank");
        assertThat(parse("spam", "--technique", "prompt", "--set", "prompt_length=many").problem(List.of("a"),
                LocalPipeline.BACKBONE)).contains("prompt_length");
    }
}
