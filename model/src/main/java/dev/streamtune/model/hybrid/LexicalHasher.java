package dev.streamtune.model.hybrid;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a text into {@link LexicalTerms}: lower-cased word unigrams and bigrams, a word being a run
 * of two or more letters or digits (scikit-learn's default token pattern), each hashed to 32 bits.
 * Deterministic and vocabulary-free, so the featurizer, the trainer and a serving process agree on
 * every term without sharing any state. Stateless and thread-safe.
 */
public final class LexicalHasher {
    private static final int BIGRAM_SEED = 0x9E3779B9;

    private LexicalHasher() {
    }

    public static LexicalTerms terms(CharSequence text) {
        if (text == null || text.length() == 0) {
            return LexicalTerms.EMPTY;
        }
        String lower = text.toString().toLowerCase(java.util.Locale.ROOT);
        int[] buffer = new int[64];
        int n = 0;
        int previous = 0;
        boolean hasPrevious = false;
        int i = 0;
        int length = lower.length();
        while (i < length) {
            int cp = lower.codePointAt(i);
            if (!Character.isLetterOrDigit(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            int start = i;
            int letters = 0;
            while (i < length) {
                cp = lower.codePointAt(i);
                if (!Character.isLetterOrDigit(cp)) {
                    break;
                }
                letters++;
                i += Character.charCount(cp);
            }
            if (letters < 2) {
                continue;
            }
            int word = hashWord(lower, start, i);
            if (n + 2 > buffer.length) {
                buffer = Arrays.copyOf(buffer, buffer.length * 2);
            }
            buffer[n++] = word;
            if (hasPrevious) {
                buffer[n++] = fmix(previous * 0x01000193 ^ Integer.rotateLeft(word, 13) ^ BIGRAM_SEED);
            }
            previous = word;
            hasPrevious = true;
        }
        return count(buffer, n);
    }

    /** Sorts the hashes and counts repeats, keeping the {@link LexicalTerms#MAX_TERMS} most frequent-first-seen. */
    private static LexicalTerms count(int[] buffer, int n) {
        if (n == 0) {
            return LexicalTerms.EMPTY;
        }
        int[] sorted = Arrays.copyOf(buffer, n);
        Arrays.sort(sorted);
        int[] hashes = new int[n];
        int[] counts = new int[n];
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct > 0 && hashes[distinct - 1] == sorted[i]) {
                counts[distinct - 1]++;
            } else {
                hashes[distinct] = sorted[i];
                counts[distinct] = 1;
                distinct++;
            }
        }
        // a text long enough to exceed the cap keeps its lowest hashes: a deterministic, unbiased subset
        int kept = Math.min(distinct, LexicalTerms.MAX_TERMS);
        return new LexicalTerms(Arrays.copyOf(hashes, kept), Arrays.copyOf(counts, kept));
    }

    /** FNV-1a over the word's UTF-8 bytes, finished with murmur3's mixer: stable across JVMs and languages. */
    private static int hashWord(String text, int from, int to) {
        byte[] bytes = text.substring(from, to).getBytes(StandardCharsets.UTF_8);
        int h = 0x811C9DC5;
        for (byte b : bytes) {
            h ^= b & 0xFF;
            h *= 0x01000193;
        }
        return fmix(h);
    }

    private static int fmix(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }
}
