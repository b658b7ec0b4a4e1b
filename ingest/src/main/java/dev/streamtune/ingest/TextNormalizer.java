package dev.streamtune.ingest;

import java.text.Normalizer;

/** The one way ingest canonicalizes text and labels: Unicode NFC, then leading/trailing whitespace removed. */
final class TextNormalizer {
    private TextNormalizer() {}

    /** NFC first, so that a combining sequence and its precomposed form compare and hash equal. */
    static String normalize(String text) {
        return text == null ? null : Normalizer.normalize(text, Normalizer.Form.NFC).strip();
    }
}
