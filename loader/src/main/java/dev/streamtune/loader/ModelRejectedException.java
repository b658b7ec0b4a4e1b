package dev.streamtune.loader;

import java.util.Objects;

/** A model version that must not be served, with the reason and a message naming the field and what was wrong. */
public final class ModelRejectedException extends RuntimeException {
    private final RejectionReason reason;
    private final String task;
    private final long version;

    public ModelRejectedException(RejectionReason reason, String task, long version, String message) {
        this(reason, task, version, message, null);
    }

    public ModelRejectedException(RejectionReason reason, String task, long version, String message, Throwable cause) {
        super("refused model task '" + task + "' version " + version + " (" + reason + "): " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.task = task;
        this.version = version;
    }

    public RejectionReason reason() {
        return reason;
    }

    /** The task named by the refused event (possibly blank or null when that was what was wrong). */
    public String task() {
        return task;
    }

    public long version() {
        return version;
    }
}
