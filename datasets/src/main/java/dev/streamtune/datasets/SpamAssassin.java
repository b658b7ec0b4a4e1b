package dev.streamtune.datasets;

import java.util.stream.Stream;

/**
 * The SpamAssassin public mail corpus (6,046 emails, 1,896 of them spam), bundled as
 * {@value #RESOURCE}. Each text is the subject, a blank line and the plain body, decoded from
 * MIME with HTML reduced to its visible text; see datasets/README.md for its provenance.
 * Groups: easy_ham, easy_ham_2, hard_ham (label ham); spam, spam_2 (label spam).
 */
public final class SpamAssassin {

    public static final String NAME = "spamassassin";
    public static final String RESOURCE = "/dev/streamtune/datasets/spamassassin.jsonl.gz";
    public static final int SIZE = 6_046;
    public static final int SPAM_COUNT = 1_896;
    public static final String SPAM = "spam";
    public static final String HAM = "ham";

    private SpamAssassin() {
    }

    /** The whole corpus with every text as committed (some exceed 20,000 characters). */
    public static Corpus load() {
        return load(LoadOptions.WHOLE_TEXTS);
    }

    public static Corpus load(LoadOptions options) {
        return Corpus.fromResource(NAME, RESOURCE, options);
    }

    /** The examples one at a time, in id order, without holding the corpus in memory; close the stream. */
    public static Stream<CorpusExample> stream(LoadOptions options) {
        return Corpus.streamResource(RESOURCE, options);
    }

    /** A deterministic subset of n examples stratified by label; see {@link Corpus#stratifiedSample}. */
    public static Corpus sample(int n, long seed) {
        return load().stratifiedSample(n, seed);
    }
}
