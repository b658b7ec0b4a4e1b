package dev.streamtune.trainer;

/** A checkpoint file that is truncated, altered, or not a checkpoint at all. */
public final class CorruptCheckpointException extends Exception {
    public CorruptCheckpointException(String message) {
        super(message);
    }

    public CorruptCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
