package dev.streamtune.datasets;

import java.util.Objects;

/**
 * One labelled text of a bundled corpus.
 *
 * @param id    stable identifier, unique within its corpus (e.g. {@code easy_ham-00001})
 * @param group the part of the source it came from (e.g. {@code spam_2}, the Debian package
 *              {@code fortunes-min}, or {@code noun} for WordNet)
 * @param label the class to learn (e.g. {@code spam} or {@code ham})
 * @param text  the text itself, never blank
 */
public record CorpusExample(String id, String group, String label, String text) {

    public CorpusExample {
        requireNonBlank("id", id, id);
        requireNonBlank("group", group, id);
        requireNonBlank("label", label, id);
        requireNonBlank("text", text, id);
    }

    /**
     * This example with its text cut to at most {@code maxChars} characters (never splitting a
     * surrogate pair), or this example itself when it is already short enough.
     */
    public CorpusExample truncatedTo(int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be at least 1, was " + maxChars);
        }
        if (text.length() <= maxChars) {
            return this;
        }
        int end = Character.isHighSurrogate(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
        if (end == 0) {
            end = Math.min(2, text.length());
        }
        return new CorpusExample(id, group, label, text.substring(0, end));
    }

    private static void requireNonBlank(String field, String value, String id) {
        Objects.requireNonNull(value, () -> "example " + id + ": field '" + field + "' is missing");
        if (value.isBlank()) {
            throw new IllegalArgumentException("example " + id + ": field '" + field + "' is blank");
        }
    }
}
