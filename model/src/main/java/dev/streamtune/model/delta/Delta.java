package dev.streamtune.model.delta;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The trained tensors of a model version in a pure-tensor encoding, with the sha256 of those
 * bytes. The digest is the one carried by the {@code ModelVersion} event; a consumer refuses
 * bytes that do not hash to it.
 */
public record Delta(String format, byte[] bytes, String sha256) {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public Delta {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(sha256, "sha256");
        if (format.isBlank()) {
            throw new IllegalArgumentException("delta format must not be blank");
        }
        if (!SHA256_HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("delta sha256 must be 64 lower-case hex digits, got '" + sha256 + "'");
        }
        bytes = bytes.clone();
    }

    /** A delta whose digest is computed from the bytes. */
    public static Delta of(String format, byte[] bytes) {
        return new Delta(format, bytes, sha256Hex(bytes));
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    /** Throws {@link DeltaRejectedException} when the bytes do not hash to the declared digest. */
    public void verifyDigest() {
        String actual = sha256Hex(bytes);
        if (!actual.equals(sha256)) {
            throw new DeltaRejectedException("delta digest mismatch: declared sha256 " + sha256
                    + " but the " + bytes.length + " bytes hash to " + actual);
        }
    }

    public static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Delta that && format.equals(that.format) && sha256.equals(that.sha256)
                && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, sha256);
    }

    @Override
    public String toString() {
        return "Delta[format=" + format + ", " + bytes.length + " bytes, sha256=" + sha256 + "]";
    }
}
