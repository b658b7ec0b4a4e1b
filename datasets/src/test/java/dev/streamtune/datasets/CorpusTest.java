package dev.streamtune.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class CorpusTest {

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static List<CorpusExample> read(String jsonLines) throws IOException {
        try (Stream<CorpusExample> stream = JsonLinesReader.stream(
                "fixture", new ByteArrayInputStream(gzip(jsonLines)), LoadOptions.WHOLE_TEXTS)) {
            return stream.toList();
        }
    }

    @Test
    void readsJsonLinesIgnoringUnknownFieldsAndBlankLines() throws IOException {
        List<CorpusExample> examples = read("""
                {"id":"a-1","group":"a","label":"x","text":"caf\\u00e9 \\ud83d\\ude00","extra":[1,2]}

                {"text":"second","label":"y","group":"b","id":"b-1"}
                """);
        assertThat(examples).containsExactly(
                new CorpusExample("a-1", "a", "x", "café 😀"), new CorpusExample("b-1", "b", "y", "second"));
    }

    @Test
    void aBadLineIsReportedWithItsNumberAndField() {
        assertThatThrownBy(() -> read("{\"id\":\"a-1\",\"group\":\"a\",\"label\":\"x\",\"text\":\"ok\"}\n"
                + "{\"id\":\"a-2\",\"group\":\"a\",\"text\":\"no label\"}\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fixture line 2").hasMessageContaining("'label' is missing");
        assertThatThrownBy(() -> read("{\"id\":\"a-1\",\"group\":\"a\",\"label\":\"x\",\"text\":\"  \"}\n"))
                .hasMessageContaining("line 1").hasMessageContaining("'text' is blank");
        assertThatThrownBy(() -> read("{\"id\":7,\"group\":\"a\",\"label\":\"x\",\"text\":\"t\"}\n"))
                .hasMessageContaining("line 1").hasMessageContaining("'id' must be a string");
        assertThatThrownBy(() -> read("{\"id\":\"a-1\",\n"))
                .hasMessageContaining("line 1").hasMessageContaining("not valid JSON");
    }

    @Test
    void missingResourceIsNamed() {
        assertThatThrownBy(() -> Corpus.fromResource("x", "/no/such.jsonl.gz", LoadOptions.WHOLE_TEXTS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("/no/such.jsonl.gz");
    }

    @Test
    void duplicateIdsAreRejected() {
        CorpusExample one = new CorpusExample("a-1", "a", "x", "t");
        assertThatThrownBy(() -> new Corpus("c", List.of(one, one)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate id a-1");
    }

    @Test
    void truncationKeepsSurrogatePairsWhole() {
        CorpusExample example = new CorpusExample("a-1", "a", "x", "ab😀cd");
        assertThat(example.truncatedTo(3).text()).isEqualTo("ab");
        assertThat(example.truncatedTo(4).text()).isEqualTo("ab😀");
        assertThat(example.truncatedTo(100)).isSameAs(example);
        assertThatThrownBy(() -> example.truncatedTo(0)).hasMessageContaining("maxChars").hasMessageContaining("0");
        assertThatThrownBy(() -> LoadOptions.truncatedTo(-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTextChars").hasMessageContaining("-5");
    }

    @Test
    void largestRemainderGivesEachLabelItsShare() {
        List<CorpusExample> examples = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            examples.add(new CorpusExample("a-" + i, "a", "a", "t"));
        }
        for (int i = 0; i < 20; i++) {
            examples.add(new CorpusExample("b-" + i, "b", "b", "t"));
        }
        for (int i = 0; i < 10; i++) {
            examples.add(new CorpusExample("c-" + i, "c", "c", "t"));
        }
        Corpus corpus = new Corpus("abc", examples);
        // 15 * (0.7, 0.2, 0.1) = 10.5, 3, 1.5: floors 10, 3, 1, the spare one to the tie first by name ("a")
        assertThat(corpus.stratifiedSample(15, 1L).countByLabel())
                .containsExactly(Map.entry("a", 11L), Map.entry("b", 3L), Map.entry("c", 1L));
        assertThat(corpus.stratifiedSample(100, 1L).countByLabel()).isEqualTo(corpus.countByLabel());
        // the subset depends on the seed, not on the order the corpus lists its examples in
        List<CorpusExample> reversed = new ArrayList<>(examples);
        java.util.Collections.reverse(reversed);
        assertThat(new Corpus("abc", reversed).stratifiedSample(15, 9L).examples())
                .isEqualTo(corpus.stratifiedSample(15, 9L).examples());
        assertThat(corpus.withLabels(Set.of("b", "c")).size()).isEqualTo(30);
        assertThatThrownBy(() -> corpus.withLabels(Set.of("z"))).hasMessageContaining("[z]");
    }
}
