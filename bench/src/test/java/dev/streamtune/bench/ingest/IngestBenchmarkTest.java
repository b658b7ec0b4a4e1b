package dev.streamtune.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestBenchmarkTest {

    @Test
    void readsAGzippedCorpusAndNamesTheLineOfABadRecord(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("c.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(good))) {
            out.write(("{\"id\":\"a\",\"label\":\"ham\",\"text\":\"hello\"}\n\n"
                    + "{\"id\":\"b\",\"label\":\"spam\",\"text\":\"buy\",\"group\":\"x\"}\n").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(IngestBenchmark.readCorpus(good)).containsExactly(
                new IngestBenchmark.Example("a", "ham", "hello"), new IngestBenchmark.Example("b", "spam", "buy"));

        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"id\":\"a\",\"label\":\"ham\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"y\"}\n");
        assertThatThrownBy(() -> IngestBenchmark.readCorpus(bad)).hasMessageContaining("line 2: field 'label'");
    }

    @Test
    void theBundledCorpusIsTheWholeSpamAssassinSet() {
        List<IngestBenchmark.Example> corpus = IngestBenchmark.spamAssassin();
        assertThat(corpus).hasSize(6_046);
        assertThat(corpus).allSatisfy(e -> assertThat(e.text().length()).isLessThanOrEqualTo(20_000));
    }

    @Test
    void configNamesTheFieldAndLimit() {
        assertThatThrownBy(() -> new IngestBenchmark.Config(0, 3, 1, Duration.ofMillis(100), Duration.ofSeconds(1)))
                .hasMessage("copies must be between 1 and 1000, was 0");
        assertThatThrownBy(() -> new IngestBenchmark.Config(1, 3, 1, Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageContaining("commit-interval-ms must be between 1 and 60000");
    }
}
