package dev.streamtune.datasets;

/**
 * How a corpus is read.
 *
 * @param maxTextChars texts longer than this are cut to this many characters; ingest rejects
 *                     texts over its own limit, so callers that feed it choose that limit here.
 *                     {@link Integer#MAX_VALUE} keeps every text whole.
 */
public record LoadOptions(int maxTextChars) {

    /** Every text exactly as committed. */
    public static final LoadOptions WHOLE_TEXTS = new LoadOptions(Integer.MAX_VALUE);

    public LoadOptions {
        if (maxTextChars < 1) {
            throw new IllegalArgumentException("maxTextChars must be at least 1, was " + maxTextChars);
        }
    }

    /** Texts cut to at most {@code maxTextChars} characters. */
    public static LoadOptions truncatedTo(int maxTextChars) {
        return new LoadOptions(maxTextChars);
    }

    CorpusExample apply(CorpusExample example) {
        return maxTextChars == Integer.MAX_VALUE ? example : example.truncatedTo(maxTextChars);
    }
}
