package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.datasets.CorpusExample;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusSourceTest {
    private final List<ExampleReader.BadLine> bad = new ArrayList<>();

    @Test
    void aGoodFileIsOneTaskNamedAfterItsStemWithTheLabelsItHolds(@TempDir Path dir) throws Exception {
        Path file = write(dir, "reviews.jsonl", """
                {"id":"r1","label":"pos","text":"Loved it","stars":5,"task":"ignored","split":"sideways"}
                {"id":"r2","label":"neg","text":"Dreadful","weight":"heavy"}
                {"id":"r3","label":"pos","text":"Would buy again"}
                """);

        CorpusSource source = CorpusSource.resolve(file.toString(), 0, bad::add);

        assertThat(bad).isEmpty();
        assertThat(source.name()).isEqualTo("reviews");
        assertThat(source.task()).isEqualTo("reviews");
        assertThat(source.labels()).containsExactly("neg", "pos");
        assertThat(source.corpus().examples()).extracting(CorpusExample::id).containsExactly("r1", "r2", "r3");
        assertThat(source.corpus().examples().get(0).text()).isEqualTo("Loved it");
        assertThat(source.description()).contains("reviews.jsonl");
    }

    @Test
    void badLinesAreReportedByNumberAndSkipped(@TempDir Path dir) throws Exception {
        Path file = write(dir, "mixed.jsonl", """
                {"id":"a","label":"ham","text":"lunch at noon?"}
                {"id":"b","label":"spam","text":"WIN"
                [1,2]

                {"label":"spam","text":"no id"}
                {"id":"c","label":"  ","text":"blank label"}
                {"id":"d","label":"spam"}
                {"id":"a","label":"spam","text":"same id again"}
                {"id":"e","label":{"x":1},"text":"label is an object"}
                {"id":"f","label":" spam\\u00a0","text":"FREE CRUISE"}
                """);

        CorpusSource source = CorpusSource.fromJsonLines(file, bad::add);

        assertThat(source.corpus().examples()).extracting(CorpusExample::id).containsExactly("a", "f");
        // labels as ingest normalizes them, so the closed set admits every example
        assertThat(source.labels()).containsExactly("ham", "spam");
        assertThat(bad).extracting(ExampleReader.BadLine::line).containsExactly(2L, 3L, 5L, 6L, 7L, 8L, 9L);
        assertThat(bad.get(0).problem()).startsWith("not valid JSON");
        assertThat(bad.get(1).problem()).contains("expected a JSON object");
        assertThat(bad.get(2).problem()).isEqualTo("field 'id' is missing");
        assertThat(bad.get(3).problem()).isEqualTo("field 'label' is blank");
        assertThat(bad.get(4).problem()).isEqualTo("field 'text' is missing");
        assertThat(bad.get(5).problem()).isEqualTo("duplicate id 'a' (first on line 1)");
        assertThat(bad.get(6).problem()).contains("'label' must be a string");
    }

    @Test
    void aFileWithNothingUsableOrOneLabelIsRefused(@TempDir Path dir) throws Exception {
        Path empty = write(dir, "empty.jsonl", "not json\n\n");
        assertThatThrownBy(() -> CorpusSource.fromJsonLines(empty, bad::add))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no usable line");
        Path single = write(dir, "single.jsonl", "{\"id\":\"a\",\"label\":\"x\",\"text\":\"t\"}\n");
        assertThatThrownBy(() -> CorpusSource.fromJsonLines(single, bad::add))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("single label [x]");
        assertThatThrownBy(() -> CorpusSource.resolve(dir.resolve("absent.jsonl").toString(), 0, bad::add))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spam, fortune, wordnet");
    }

    @Test
    void taskNamesFollowTheTrainersRule() {
        assertThat(CorpusSource.taskNameFor(Path.of("/data/reviews.jsonl"))).isEqualTo("reviews");
        assertThat(CorpusSource.taskNameFor(Path.of("my corpus (v2).jsonl"))).isEqualTo("my-corpus-v2");
        assertThat(CorpusSource.taskNameFor(Path.of("fortune.sample.jsonl"))).isEqualTo("fortune.sample");
        assertThat(CorpusSource.taskNameFor(Path.of("..jsonl"))).isEqualTo("corpus");
        assertThat(CorpusSource.taskNameFor(Path.of("...x.jsonl"))).isEqualTo("x");
        assertThat(CorpusSource.taskNameFor(Path.of("ünïcödé.jsonl"))).isEqualTo("n-c-d");
        assertThat(CorpusSource.taskNameFor(Path.of("noext"))).isEqualTo("noext");
        assertThat(CorpusSource.taskNameFor(Path.of("x".repeat(300) + ".jsonl"))).hasSize(200);
        for (String name : List.of("a b", "..", "(1)", "x".repeat(300))) {
            assertThat(CorpusSource.TASK_NAME.matcher(CorpusSource.taskNameFor(Path.of(name + ".jsonl"))).matches()).isTrue();
        }
    }

    @Test
    void aLimitIsAStratifiedSampleOfTheSameTask(@TempDir Path dir) throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            lines.append(String.format("{\"id\":\"x%02d\",\"label\":\"%s\",\"text\":\"text %d\"}%n", i, i % 4 == 0 ? "rare" : "common", i));
        }
        Path file = write(dir, "sampled.jsonl", lines.toString());

        CorpusSource sample = CorpusSource.resolve(file.toString(), 20, bad::add);
        assertThat(sample.task()).isEqualTo("sampled");
        assertThat(sample.size()).isEqualTo(20);
        assertThat(sample.corpus().countByLabel()).containsEntry("rare", 5L).containsEntry("common", 15L);
        assertThat(CorpusSource.resolve(file.toString(), 20, bad::add).corpus().examples())
                .isEqualTo(sample.corpus().examples());
        assertThat(CorpusSource.resolve(file.toString(), 400, bad::add).size()).isEqualTo(40);
    }

    @Test
    void bundledCorporaAreTasksOfTheirShortName() throws Exception {
        CorpusSource spam = CorpusSource.resolve("spam", 50, bad::add);
        assertThat(spam.task()).isEqualTo(DemoCommand.TASK);
        assertThat(spam.labels()).containsExactly("ham", "spam");
        assertThat(spam.size()).isEqualTo(50);
        CorpusSource wordnet = CorpusSource.resolve("wordnet", 60, bad::add);
        assertThat(wordnet.task()).isEqualTo("wordnet");
        assertThat(wordnet.labels()).hasSize(6);
    }

    private static Path write(Path dir, String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }
}
