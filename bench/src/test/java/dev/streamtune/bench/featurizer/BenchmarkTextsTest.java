package dev.streamtune.bench.featurizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchmarkTextsTest {

    private static final String CORPUS = """
            {"id":"a1","group":"easy_ham","label":"ham","text":"Meeting at noon"}

            {"id":"a2","group":"spam","label":"spam","text":"WIN a \\"free\\" prize"}
            {"id":"a3","group":"spam","label":"spam","text":"third"}
            """;

    @Test
    void readsTheTextFieldOfPlainAndGzippedJsonLines(@TempDir Path dir) throws Exception {
        Path plain = Files.writeString(dir.resolve("corpus.jsonl"), CORPUS);
        Path gzipped = dir.resolve("corpus.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gzipped))) {
            out.write(CORPUS.getBytes(StandardCharsets.UTF_8));
        }
        List<String> expected = List.of("Meeting at noon", "WIN a \"free\" prize", "third");
        assertThat(BenchmarkTexts.fromJsonLines(plain, 100)).isEqualTo(expected);
        assertThat(BenchmarkTexts.fromJsonLines(gzipped, 100)).isEqualTo(expected);
        assertThat(BenchmarkTexts.fromJsonLines(gzipped, 2)).isEqualTo(expected.subList(0, 2));
    }

    @Test
    void lineWithoutTextIsNamed(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), "{\"text\":\"ok\"}\n{\"body\":\"no text\"}\n");
        assertThatThrownBy(() -> BenchmarkTexts.fromJsonLines(bad, 100))
                .hasMessageContaining("line 2: field 'text' must be a string");
    }

    @Test
    void syntheticTextsAreDeterministicAndSpreadInLength() {
        List<String> texts = BenchmarkTexts.synthetic(200, 42);
        assertThat(texts).isEqualTo(BenchmarkTexts.synthetic(200, 42)).isNotEqualTo(BenchmarkTexts.synthetic(200, 43));
        assertThat(texts).anyMatch(t -> t.split(" ").length <= 15).anyMatch(t -> t.split(" ").length >= 150);
    }
}
