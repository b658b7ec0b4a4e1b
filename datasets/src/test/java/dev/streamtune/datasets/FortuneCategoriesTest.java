package dev.streamtune.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FortuneCategoriesTest {

    private static Corpus corpus;

    @BeforeAll
    static void loadOnce() {
        corpus = FortuneCategories.load();
    }

    @Test
    void hasEveryFortuneOfEveryCategory() {
        assertThat(corpus.size()).isEqualTo(FortuneCategories.SIZE);
        assertThat(corpus.labels()).hasSize(FortuneCategories.CATEGORY_COUNT)
                .contains("computers", "science", "startrek", "riddles", "literature", "fortunes");
        assertThat(corpus.countByLabel()).contains(Map.entry("people", 1_251L), Map.entry("computers", 1_051L),
                Map.entry("riddles", 128L), Map.entry("pratchett", 2L));
        Map<String, Long> byGroup = corpus.examples().stream()
                .collect(Collectors.groupingBy(CorpusExample::group, Collectors.counting()));
        assertThat(byGroup).containsOnly(Map.entry("fortunes", 14_396L), Map.entry("fortunes-min", 821L));
    }

    @Test
    void idsAreCategoryAndPosition() {
        Set<String> ids = new HashSet<>();
        for (CorpusExample example : corpus.examples()) {
            assertThat(ids.add(example.id())).isTrue();
            assertThat(example.id()).matches(example.label() + "-\\d{5}");
            assertThat(example.text()).isNotBlank().doesNotContain("\b").doesNotStartWith("\n");
        }
    }

    @Test
    void overstrikingBecomesThePrintedText() {
        Map<String, CorpusExample> byId = corpus.examples().stream()
                .collect(Collectors.toMap(CorpusExample::id, Function.identity()));
        // the file underlines "only" with "___" and three backspaces
        assertThat(byId.get("computers-00164").text()).isEqualTo("Calm down, it's *only* ones and zeroes.");
        assertThat(byId.get("computers-00001").text()).isEqualTo("!07/11 PDP a ni deppart m'I  !pleH");
    }

    @Test
    void balancedSampleKeepsOnlyCategoriesLargeEnough() {
        Corpus balanced = corpus.balancedSample(100, 3L);
        assertThat(balanced.labels()).hasSize(32).doesNotContain("pratchett", "magic", "news");
        assertThat(balanced.countByLabel().values()).containsOnly(100L);
        assertThat(balanced.examples()).isEqualTo(corpus.balancedSample(100, 3L).examples());
        assertThat(corpus.examples()).containsAll(balanced.examples());
        assertThatThrownBy(() -> corpus.balancedSample(5_000, 3L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("perLabel 5000");
        assertThatThrownBy(() -> corpus.balancedSample(0, 3L)).hasMessageContaining("perLabel must be at least 1");
    }
}
