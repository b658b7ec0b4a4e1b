package dev.streamtune.ingest;

/** Headers ingest sets on the records it writes to the split topics. */
public final class IngestHeaders {
    /**
     * {@code "true"} on an example that replaces an earlier one with the same (task, id) but a new
     * label or text; absent otherwise. A producer's own header of this name is removed, so only
     * ingest can mark a correction.
     */
    public static final String CORRECTION = "streamtune.correction";

    private IngestHeaders() {}
}
