package dev.streamtune.loader;

/** Why a model version was refused; each has a distinct remedy. */
public enum RejectionReason {
    /** A field of the event is missing or malformed (blank task, fewer than 2 labels, bad digest syntax ...). */
    INVALID_METADATA,
    /** The event names a backbone this process does not ship. */
    UNKNOWN_BACKBONE,
    /** The backbone is known but its local weights hash differently from the base the delta was trained on. */
    BASE_MISMATCH,
    /** The delta is neither inline nor fetchable from the artifact store. */
    DELTA_UNAVAILABLE,
    /** The delta is larger than this loader accepts, or not the size the event declares. */
    DELTA_SIZE,
    /** The delta's bytes do not hash to the sha256 the event carries. */
    DIGEST_MISMATCH,
    /** No loader plugin knows the version's technique. */
    UNSUPPORTED_TECHNIQUE,
    /** The bytes verify but do not decode into the tensors the technique expects (format, names, shapes). */
    UNREADABLE_DELTA,
    /** The event could not even be decoded from the topic. */
    UNDECODABLE_EVENT,
    /** The update carries no signature; only updates signed by a trusted evaluator key are served. */
    UNSIGNED,
    /** The update is signed by a key that is not trusted here (a forger's, or one rotated out). */
    UNTRUSTED_KEY,
    /** The signature does not cover exactly this update: a signed field (version, action, provenance, delta sha256) was altered. */
    BAD_SIGNATURE,
    /** A validly signed update older than the one serving: a replay of an earlier promotion. */
    REPLAYED;

    /** The refusal that a signature check's failure amounts to. */
    public static RejectionReason of(dev.streamtune.schemas.signing.SignatureRefusedException.Reason reason) {
        return switch (reason) {
            case UNSIGNED -> UNSIGNED;
            case UNKNOWN_KEY -> UNTRUSTED_KEY;
            case UNSUPPORTED_ALGORITHM, BAD_SIGNATURE -> BAD_SIGNATURE;
        };
    }
}
