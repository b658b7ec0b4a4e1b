package dev.streamtune.model.hybrid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LexicalHasherTest {

    @Test
    void countsLowerCasedWordUnigramsAndBigramsAndDropsSingleCharacters() {
        LexicalTerms terms = LexicalHasher.terms("Free money, FREE money! a I x");
        // unigrams: free, money (single characters are not words); bigrams over the kept words:
        // free money, money free, free money -> 2 unigrams + 2 distinct bigrams
        assertThat(terms.size()).isEqualTo(4);
        assertThat(Arrays.stream(terms.counts()).sum()).isEqualTo(4 + 3);
        assertThat(terms.counts()).containsOnly(2, 1);
        assertThat(LexicalHasher.terms("free money")).satisfies(t -> {
            assertThat(t.size()).isEqualTo(3);
            assertThat(terms.hashes()).contains(t.hashes());
        });
    }

    @Test
    void isDeterministicCaseInsensitiveAndSortedWithoutRepeats() {
        String text = "The quick brown fox jumps over the lazy dog; the DOG sleeps.";
        LexicalTerms a = LexicalHasher.terms(text);
        LexicalTerms b = LexicalHasher.terms(text.toUpperCase(java.util.Locale.ROOT));
        assertThat(a).isEqualTo(b);
        int[] hashes = a.hashes();
        for (int i = 1; i < hashes.length; i++) {
            assertThat(hashes[i]).isGreaterThan(hashes[i - 1]);
        }
        assertThat(LexicalHasher.terms("the cat")).isNotEqualTo(LexicalHasher.terms("cat the"));
    }

    @Test
    void emptyAndPunctuationOnlyTextsHaveNoTerms() {
        assertThat(LexicalHasher.terms("").size()).isZero();
        assertThat(LexicalHasher.terms(null).size()).isZero();
        assertThat(LexicalHasher.terms("!!! ... , a").size()).isZero();
    }

    @Test
    void aHugeTextIsCappedAtTheTermLimit() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append("w").append(i).append(' ');
        }
        assertThat(LexicalHasher.terms(text).size()).isEqualTo(LexicalTerms.MAX_TERMS);
    }

    @Test
    void malformedTermsAreRefusedNamingTheProblem() {
        assertThatThrownBy(() -> new LexicalTerms(new int[] {3, 1}, new int[] {1, 1}))
                .hasMessageContaining("strictly increasing");
        assertThatThrownBy(() -> new LexicalTerms(new int[] {1}, new int[] {0}))
                .hasMessageContaining("must be > 0");
        assertThatThrownBy(() -> new LexicalTerms(new int[] {1, 2}, new int[] {1}))
                .hasMessageContaining("2 hashes but 1 counts");
        assertThatThrownBy(() -> new LexicalTerms(new int[LexicalTerms.MAX_TERMS + 1], new int[LexicalTerms.MAX_TERMS + 1]))
                .hasMessageContaining("at most " + LexicalTerms.MAX_TERMS);
    }
}
