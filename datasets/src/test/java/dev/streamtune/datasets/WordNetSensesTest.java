package dev.streamtune.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WordNetSensesTest {

    private static Corpus corpus;

    @BeforeAll
    static void loadOnce() {
        corpus = WordNetSenses.load();
    }

    @Test
    void hasTwoThousandGlossesOfEachClass() {
        assertThat(corpus.size()).isEqualTo(WordNetSenses.SIZE).isEqualTo(12_000);
        assertThat(corpus.labels()).containsExactlyElementsOf(WordNetSenses.LABELS);
        assertThat(corpus.countByLabel().values()).containsOnly((long) WordNetSenses.SENSES_PER_LABEL);
    }

    @Test
    void idsAreSynsetOffsetsAndTextsAreGlosses() {
        Set<String> ids = new HashSet<>();
        for (CorpusExample example : corpus.examples()) {
            assertThat(ids.add(example.id())).isTrue();
            assertThat(example.id()).matches("noun-\\d{8}");
            assertThat(example.group()).isEqualTo("noun");
            // the data.noun line is "offset lexfile n ... | gloss": nothing before the bar may leak in
            assertThat(example.text()).isNotBlank().doesNotContain(" | ").doesNotContain("\n");
        }
    }

    @Test
    void knownSynsetHasItsLexicographerFile() {
        try (Stream<CorpusExample> stream = WordNetSenses.stream(LoadOptions.WHOLE_TEXTS)) {
            CorpusExample dog = stream.filter(e -> e.id().equals("noun-02084071")).findFirst().orElseThrow();
            assertThat(dog.label()).isEqualTo("noun.animal");
            assertThat(dog.text()).startsWith("a member of the genus Canis");
        }
    }

    @Test
    void truncationAppliesToEveryCorpus() {
        Corpus cut = WordNetSenses.load(LoadOptions.truncatedTo(40));
        assertThat(cut.examples()).allSatisfy(e -> assertThat(e.text().length()).isLessThanOrEqualTo(40));
        assertThat(cut.examples().stream().filter(e -> e.text().length() == 40).count()).isGreaterThan(1_000);
    }
}
