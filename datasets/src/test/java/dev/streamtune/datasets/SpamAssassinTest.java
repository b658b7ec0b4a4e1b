package dev.streamtune.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SpamAssassinTest {

    private static final Pattern ID = Pattern.compile("(easy_ham|easy_ham_2|hard_ham|spam|spam_2)-\\d{5}");
    private static final Pattern HTML_TAG = Pattern.compile(
            "<\\s*/?\\s*(html|head|body|table|tr|td|font|div|p|br|b|i|a|img|span|center|style|script|meta)\\b[^>]*>",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern HTML_ENTITY = Pattern.compile("&(nbsp|amp|lt|gt|quot|#\\d+);");

    private static Corpus corpus;

    @BeforeAll
    static void loadOnce() {
        corpus = SpamAssassin.load();
    }

    @Test
    void hasEveryEmailWithItsLabel() {
        assertThat(corpus.size()).isEqualTo(SpamAssassin.SIZE).isEqualTo(6_046);
        assertThat(corpus.countByLabel())
                .containsExactly(Map.entry("ham", 4_150L), Map.entry("spam", (long) SpamAssassin.SPAM_COUNT));
        Map<String, Long> byGroup = corpus.examples().stream()
                .collect(Collectors.groupingBy(CorpusExample::group, Collectors.counting()));
        assertThat(byGroup).containsOnly(Map.entry("easy_ham", 2_500L), Map.entry("easy_ham_2", 1_400L),
                Map.entry("hard_ham", 250L), Map.entry("spam", 500L), Map.entry("spam_2", 1_396L));
    }

    @Test
    void idsAreUniqueStableAndAgreeWithGroupAndLabel() {
        Set<String> ids = new HashSet<>();
        for (CorpusExample example : corpus.examples()) {
            assertThat(ids.add(example.id())).as("unique id %s", example.id()).isTrue();
            assertThat(example.id()).matches(ID).startsWith(example.group() + "-");
            assertThat(example.label()).isEqualTo(example.group().startsWith("spam") ? "spam" : "ham");
        }
        assertThat(corpus.examples().get(0).id()).isEqualTo("easy_ham-00001");
        assertThat(corpus.examples().get(0).text())
                .startsWith("Re: New Sequences Window\n\n    Date:        Wed, 21 Aug 2002 10:54:46 -0500");
    }

    @Test
    void everyTextHasContent() {
        assertThat(corpus.examples()).allSatisfy(e -> assertThat(e.text()).isNotBlank());
    }

    @Test
    void htmlEmailsAreReducedToTheirVisibleText() {
        // emails whose only part is text/html, with a phrase of their visible text
        Map<String, String> htmlOnly = Map.of(
                "spam_2-01205", "THE WORLD FAMOUS Married But Lonely!",
                "spam_2-01032", "Cal-Bay (Stock Symbol: CBYI)",
                "hard_ham-00087", "Quotes delayed 20+ minutes",
                "hard_ham-00224", "has sent you a news article",
                "spam_2-00503", "Our Loan Packages Have",
                "spam_2-01028", "Nippon Forex Info Mail",
                "spam_2-00420", "GUARANTEED BY THE GOVERNMENT!",
                "spam_2-00460", "There are more financial opportunities");
        Map<String, CorpusExample> byId = corpus.examples().stream()
                .collect(Collectors.toMap(CorpusExample::id, Function.identity()));
        htmlOnly.forEach((id, phrase) -> {
            String text = byId.get(id).text();
            assertThat(text).as(id).contains(phrase);
            assertThat(HTML_TAG.matcher(text).find()).as("HTML tag left in %s", id).isFalse();
            assertThat(HTML_ENTITY.matcher(text).find()).as("HTML entity left in %s", id).isFalse();
        });
    }

    @Test
    void tagsSurviveOnlyWhereAPlainTextEmailQuotesThem() {
        // a single tag in a text/plain part is kept as written (e.g. a list post about HTML)
        long withTags = corpus.examples().stream().filter(e -> HTML_TAG.matcher(e.text()).find()).count();
        assertThat(withTags).isLessThanOrEqualTo(10);
    }

    @Test
    void truncationCutsOnlyTheLongTexts() {
        int limit = 20_000;
        long longOnes = corpus.examples().stream().filter(e -> e.text().length() > limit).count();
        assertThat(longOnes).isEqualTo(32);
        Corpus truncated = SpamAssassin.load(LoadOptions.truncatedTo(limit));
        assertThat(truncated.size()).isEqualTo(corpus.size());
        for (int i = 0; i < corpus.size(); i++) {
            String whole = corpus.examples().get(i).text();
            String cut = truncated.examples().get(i).text();
            assertThat(cut.length()).isLessThanOrEqualTo(limit);
            assertThat(whole).startsWith(cut);
            if (whole.length() <= limit) {
                assertThat(cut).isEqualTo(whole);
            }
        }
    }

    @Test
    void streamsLazilyInIdOrder() {
        try (Stream<CorpusExample> stream = SpamAssassin.stream(LoadOptions.WHOLE_TEXTS)) {
            List<String> first = stream.limit(3).map(CorpusExample::id).toList();
            assertThat(first).containsExactly("easy_ham-00001", "easy_ham-00002", "easy_ham-00003");
        }
    }

    @Test
    void sampleIsStratifiedByLabel() {
        Corpus sample = SpamAssassin.sample(600, 42L);
        assertThat(sample.size()).isEqualTo(600);
        // 600 * 1896 / 6046 = 188.2 spam
        assertThat(sample.countByLabel()).containsExactly(Map.entry("ham", 412L), Map.entry("spam", 188L));
        assertThat(corpus.examples()).containsAll(sample.examples());
    }

    @Test
    void sampleIsDeterministicPerSeedAndShuffled() {
        List<String> first = corpus.stratifiedSample(200, 7L).examples().stream().map(CorpusExample::id).toList();
        List<String> again = corpus.stratifiedSample(200, 7L).examples().stream().map(CorpusExample::id).toList();
        List<String> other = corpus.stratifiedSample(200, 8L).examples().stream().map(CorpusExample::id).toList();
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        assertThat(first).doesNotHaveDuplicates();
        assertThat(first).isNotEqualTo(first.stream().sorted().toList());
    }

    @Test
    void sampleSizeOutsideTheCorpusIsRejected() {
        assertThatThrownBy(() -> corpus.stratifiedSample(0, 1L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n").hasMessageContaining("6046");
        assertThatThrownBy(() -> corpus.stratifiedSample(6_047, 1L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 6047");
    }
}
