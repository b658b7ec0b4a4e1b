package dev.streamtune.ingest;

import dev.streamtune.avro.Split;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Decides an example's split from a stable hash of (task, id), so that the same example lands in
 * the same split on every run, on every instance, and in any language that can compute SHA-256:
 * the first 8 bytes of SHA-256(task + U+0000 + id), as an unsigned number, scaled to [0, 1).
 */
final class SplitAssigner {
    private final SplitRatios ratios;

    SplitAssigner(SplitRatios ratios) {
        this.ratios = ratios;
    }

    /** The pinned split when there is one, else the split of the hash. */
    Split assign(String task, String id, Split pinned) {
        if (pinned != null && pinned != Split.UNSPECIFIED) {
            return pinned;
        }
        double u = unitHash(task, id);
        if (u < ratios.train()) {
            return Split.TRAIN;
        }
        if (u < ratios.train() + ratios.validation()) {
            return Split.VALIDATION;
        }
        return Split.TEST;
    }

    /** A uniform value in [0, 1) from the top 53 bits of the hash (all a double can hold exactly). */
    static double unitHash(String task, String id) {
        byte[] digest = sha256().digest((task + '\u0000' + id).getBytes(StandardCharsets.UTF_8));
        long top = ByteBuffer.wrap(digest, 0, 8).getLong();
        return (top >>> 11) * 0x1.0p-53;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
