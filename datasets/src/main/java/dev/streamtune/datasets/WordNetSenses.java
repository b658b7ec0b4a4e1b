package dev.streamtune.datasets;

import java.util.List;
import java.util.stream.Stream;

/**
 * Glosses of WordNet 3.0 noun synsets (Debian package {@code wordnet-base}) labelled with their
 * lexicographer file: 2,000 each of {@link #LABELS}, 12,000 in all, bundled as
 * {@value #RESOURCE}. Ids are {@code noun-<synset offset>}. A source task for prompt transfer.
 * See datasets/README.md for provenance and license.
 */
public final class WordNetSenses {

    public static final String NAME = "wordnet-senses";
    public static final String RESOURCE = "/dev/streamtune/datasets/wordnet-senses.jsonl.gz";
    public static final List<String> LABELS =
            List.of("noun.animal", "noun.artifact", "noun.body", "noun.food", "noun.person", "noun.plant");
    public static final int SENSES_PER_LABEL = 2_000;
    public static final int SIZE = 12_000;

    private WordNetSenses() {
    }

    public static Corpus load() {
        return load(LoadOptions.WHOLE_TEXTS);
    }

    public static Corpus load(LoadOptions options) {
        return Corpus.fromResource(NAME, RESOURCE, options);
    }

    /** The senses one at a time, in id order; close the stream. */
    public static Stream<CorpusExample> stream(LoadOptions options) {
        return Corpus.streamResource(RESOURCE, options);
    }
}
