package dev.streamtune.datasets;

import java.util.stream.Stream;

/**
 * Fortunes of the Debian packages {@code fortunes} and {@code fortunes-min} (1:1.99.1-7.3),
 * labelled with their fortune file, i.e. their category: 15,217 fortunes in 43 categories of
 * very unequal size (2 to 1,251), bundled as {@value #RESOURCE}. Group = the Debian package.
 * A source task for prompt transfer; {@link Corpus#balancedSample} gives equal classes.
 * See datasets/README.md for provenance and license.
 */
public final class FortuneCategories {

    public static final String NAME = "fortunes";
    public static final String RESOURCE = "/dev/streamtune/datasets/fortunes.jsonl.gz";
    public static final int SIZE = 15_217;
    public static final int CATEGORY_COUNT = 43;

    private FortuneCategories() {
    }

    public static Corpus load() {
        return load(LoadOptions.WHOLE_TEXTS);
    }

    public static Corpus load(LoadOptions options) {
        return Corpus.fromResource(NAME, RESOURCE, options);
    }

    /** The fortunes one at a time, in id order; close the stream. */
    public static Stream<CorpusExample> stream(LoadOptions options) {
        return Corpus.streamResource(RESOURCE, options);
    }
}
