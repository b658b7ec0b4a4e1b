package dev.streamtune.model.delta;

/** A delta that must not be loaded: wrong digest, unknown format, unreadable bytes or wrong shapes. */
public final class DeltaRejectedException extends RuntimeException {
    public DeltaRejectedException(String message) {
        super(message);
    }

    public DeltaRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
