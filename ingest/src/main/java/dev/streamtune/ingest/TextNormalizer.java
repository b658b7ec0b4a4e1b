package dev.streamtune.ingest;

import java.text.Normalizer;

/**
 * The one way ingest canonicalizes text and labels: Unicode NFC, then leading and trailing
 * whitespace removed. "Whitespace" here is wider than {@link String#strip()}: it also covers
 * no-break spaces, zero-width spaces and the byte-order mark, which text pasted from the web or
 * exported from spreadsheets often carries, so that such a text counts as empty. Public so that a
 * client declaring a closed label set (the app's corpus files) names its labels as ingest will see them.
 */
public final class TextNormalizer {
    private TextNormalizer() {}

    /** NFC first, so that a combining sequence and its precomposed form compare and hash equal. */
    public static String normalize(String text) {
        if (text == null) {
            return null;
        }
        String nfc = Normalizer.normalize(text, Normalizer.Form.NFC);
        int start = 0;
        int end = nfc.length();
        while (start < end && isBlank(nfc.codePointAt(start))) {
            start += Character.charCount(nfc.codePointAt(start));
        }
        while (end > start && isBlank(nfc.codePointBefore(end))) {
            end -= Character.charCount(nfc.codePointBefore(end));
        }
        return nfc.substring(start, end);
    }

    private static boolean isBlank(int codePoint) {
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)
                || codePoint == 0x200B || codePoint == 0xFEFF;
    }
}
