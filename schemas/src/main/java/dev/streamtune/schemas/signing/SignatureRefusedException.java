package dev.streamtune.schemas.signing;

/** A record whose signature does not verify against the trusted keys; {@link #reason()} says which check failed. */
public final class SignatureRefusedException extends RuntimeException {
    /** Which check refused the record; each has a distinct remedy. */
    public enum Reason {
        /** The record carries no signature. */
        UNSIGNED,
        /** The signature names a key id that is not among the trusted keys (a forger's key, or a rotated-out one). */
        UNKNOWN_KEY,
        /** The signature is not Ed25519. */
        UNSUPPORTED_ALGORITHM,
        /** The trusted key did not sign exactly this content: something signed was altered, or the bytes are junk. */
        BAD_SIGNATURE
    }

    private final Reason reason;

    public SignatureRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
