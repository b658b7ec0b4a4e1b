package dev.streamtune.loader;

/**
 * A prediction reached a model version that had already been replaced and closed (its native tensors freed).
 * {@code ServingModels#predict} retries such a call on the task's current model; a caller that kept a reference to an
 * old {@link LoadedModel} sees this instead.
 */
public final class ModelClosedException extends IllegalStateException {
    private final String task;
    private final long version;

    public ModelClosedException(String task, long version) {
        super("version " + version + " of task '" + task + "' was replaced and closed; predict with the current model");
        this.task = task;
        this.version = version;
    }

    public String task() {
        return task;
    }

    public long version() {
        return version;
    }
}
