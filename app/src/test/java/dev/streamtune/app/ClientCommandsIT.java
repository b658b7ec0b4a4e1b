package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.schemas.serde.AvroDeserializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** task and produce against a real broker and registry, run through picocli as a user types them. */
class ClientCommandsIT {
    private static StreamtunePlatform platform;

    @BeforeAll
    static void start() {
        platform = StreamtunePlatform.start(PlatformConfig.ephemeral());
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private int run(String... args) {
        String[] full = new String[args.length + 4];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--bootstrap-servers";
        full[args.length + 1] = platform.bootstrapServers();
        full[args.length + 2] = "--schema-registry-url";
        full[args.length + 3] = platform.registryUrl();
        return new CommandLine(new Streamtune()).execute(full);
    }

    @Test
    void taskCreateThenListSeesTheLatestDeclaration() {
        assertThat(run("task", "create", "spam", "--labels", "ham,spam", "--closed", "--set", "head=mlp")).isZero();
        assertThat(run("task", "create", "spam", "--labels", "ham,spam,phish", "--closed")).isZero();
        assertThat(run("task", "create", "broken", "--closed")).as("closed without labels").isEqualTo(2);

        var tasks = TaskCommand.latest(ConnectionOptions.of(platform.bootstrapServers(), platform.registryUrl()));
        assertThat(tasks).containsOnlyKeys("spam");
        assertThat(tasks.get("spam").getLabels()).containsExactly("ham", "spam", "phish");
        assertThat(run("task", "list")).isZero();
    }

    @Test
    void produceSendsEveryGoodLineAndReportsTheBadOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("examples.jsonl");
        Files.writeString(file, """
                {"id":"p1","text":"Cheap pills","label":"spam"}
                {"id":"p2","text":"broken
                {"id":"p3","text":"See you at 5","label":"ham"}
                """);
        assertThat(run("produce", file.toString(), "--task", "spam")).as("exit code signals the bad line").isEqualTo(2);

        ConnectionOptions c = ConnectionOptions.of(platform.bootstrapServers(), platform.registryUrl());
        AvroDeserializer<LabelledExample> d = new AvroDeserializer<>(c.registry(), c.serde(), LabelledExample.class);
        List<LabelledExample> sent = TopicSnapshot.read(c.kafka(), "examples.raw", Duration.ofSeconds(30)).stream()
                .map(r -> d.deserialize("examples.raw", r.value())).toList();
        assertThat(sent).extracting(LabelledExample::getId).containsExactlyInAnyOrder("p1", "p3");
        assertThat(sent).allSatisfy(e -> assertThat(e.getTask()).isEqualTo("spam"));
    }

    @Test
    void produceCorpusDeclaresTheCorpusAsATaskWithItsTechniqueAndSendsASample() {
        // a topic prefix of its own keeps these records out of the other tests' topics
        assertThat(run("produce", "--corpus", "wordnet", "--limit", "12", "--task", "senses", "--technique", "prompt",
                "--set", "max_tokens=32", "--topic-prefix", "corpus.")).isZero();
        assertThat(run("produce", "--corpus", "fortune", "--technique", "prompt", "--set", "prompt_length=0",
                "--topic-prefix", "corpus.")).as("a bad setting is refused before anything is sent").isEqualTo(2);

        ConnectionOptions c = ConnectionOptions.of(platform.bootstrapServers(), platform.registryUrl());
        c.topicPrefix = "corpus.";
        var tasks = TaskCommand.latest(c);
        assertThat(tasks).containsOnlyKeys("senses");
        assertThat(tasks.get("senses").getTechnique()).isEqualTo("prompt");
        assertThat(tasks.get("senses").getSettings()).containsEntry("max_tokens", "32");
        assertThat(tasks.get("senses").getLabelSetClosed()).isTrue();
        assertThat(tasks.get("senses").getLabels()).hasSize(6);
        AvroDeserializer<LabelledExample> d = new AvroDeserializer<>(c.registry(), c.serde(), LabelledExample.class);
        List<LabelledExample> sent = TopicSnapshot.read(c.kafka(), "corpus.examples.raw", Duration.ofSeconds(30)).stream()
                .map(r -> d.deserialize("corpus.examples.raw", r.value())).toList();
        assertThat(sent).hasSize(12).allSatisfy(e -> assertThat(e.getTask()).isEqualTo("senses"));
        assertThat(sent.stream().map(LabelledExample::getLabel).distinct()).hasSize(6);
    }
}
