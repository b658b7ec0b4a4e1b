package dev.streamtune.model.hybrid;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The word n-grams of one text as 32-bit hashes with their counts, sorted by hash, each hash once:
 * the lexical half of what a {@link HybridClassifier} reads. No vocabulary is fitted, so any
 * process that hashes the same text with {@link LexicalHasher} gets the same terms; the model folds
 * the hashes into its own number of buckets.
 */
public record LexicalTerms(int[] hashes, int[] counts) {
    /** More distinct terms than this in one text are refused (a 20,000-character text has about 7,000). */
    public static final int MAX_TERMS = 16_384;
    public static final LexicalTerms EMPTY = new LexicalTerms(new int[0], new int[0]);

    public LexicalTerms {
        Objects.requireNonNull(hashes, "hashes");
        Objects.requireNonNull(counts, "counts");
        if (hashes.length != counts.length) {
            throw new IllegalArgumentException("lexical terms: " + hashes.length + " hashes but " + counts.length
                    + " counts");
        }
        if (hashes.length > MAX_TERMS) {
            throw new IllegalArgumentException("lexical terms: " + hashes.length + " distinct terms, at most "
                    + MAX_TERMS);
        }
        for (int i = 0; i < hashes.length; i++) {
            if (counts[i] <= 0) {
                throw new IllegalArgumentException("lexical terms: count of term " + i + " must be > 0, got " + counts[i]);
            }
            if (i > 0 && hashes[i] <= hashes[i - 1]) {
                throw new IllegalArgumentException("lexical terms: hashes must be strictly increasing (term " + i + ")");
            }
        }
        hashes = hashes.clone();
        counts = counts.clone();
    }

    /** From the Avro arrays of a feature vector; absent (older producers) is empty. */
    public static LexicalTerms of(List<Integer> hashes, List<Integer> counts) {
        if (hashes == null || counts == null) {
            return EMPTY;
        }
        int[] h = new int[hashes.size()];
        int[] c = new int[counts.size()];
        for (int i = 0; i < h.length; i++) {
            h[i] = hashes.get(i);
        }
        for (int i = 0; i < c.length; i++) {
            c[i] = counts.get(i);
        }
        return new LexicalTerms(h, c);
    }

    public int size() {
        return hashes.length;
    }

    /** The hashes without a copy, for read-only hot paths inside this project. */
    int[] hashesView() {
        return hashes;
    }

    int[] countsView() {
        return counts;
    }

    @Override
    public int[] hashes() {
        return hashes.clone();
    }

    @Override
    public int[] counts() {
        return counts.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LexicalTerms that && Arrays.equals(hashes, that.hashes)
                && Arrays.equals(counts, that.counts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(hashes) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "LexicalTerms[" + hashes.length + " terms]";
    }
}
