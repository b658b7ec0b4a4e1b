package dev.streamtune.model;

/**
 * How a {@link SentenceEmbedder} runs.
 *
 * @param backboneId     registered backbone id, e.g. {@code all-MiniLM-L6-v2} or {@code all-MiniLM-L6-v2-int8}
 * @param maxTokens      most tokens per text, special tokens included; longer texts are truncated
 *                       (checked against the backbone's max positions when the embedder opens)
 * @param batchSize      texts per ONNX Runtime call
 * @param bucketWindow   how many texts are sorted by token length together before being cut into
 *                       batches, so each batch pads to a similar length; equal to {@code batchSize}
 *                       means no bucketing (sorting inside one batch changes nothing)
 * @param intraOpThreads ONNX Runtime intra-op threads
 */
public record EmbedderConfig(String backboneId, int maxTokens, int batchSize, int bucketWindow, int intraOpThreads) {

    public static final int DEFAULT_MAX_TOKENS = 256;
    public static final int DEFAULT_BATCH_SIZE = 32;
    public static final int DEFAULT_BUCKET_WINDOW = 512;
    static final int MAX_TOKENS_LIMIT = 8192;
    static final int MAX_BATCH_SIZE = 4096;
    static final int MAX_BUCKET_WINDOW = 1 << 20;
    static final int MAX_THREADS = 1024;

    public EmbedderConfig {
        if (backboneId == null || backboneId.isBlank()) {
            throw new IllegalArgumentException("backboneId must be a non-blank backbone id, was "
                    + (backboneId == null ? "null" : "'" + backboneId + "'"));
        }
        requireRange("maxTokens", maxTokens, 2, MAX_TOKENS_LIMIT);
        requireRange("batchSize", batchSize, 1, MAX_BATCH_SIZE);
        requireRange("bucketWindow", bucketWindow, batchSize, MAX_BUCKET_WINDOW);
        requireRange("intraOpThreads", intraOpThreads, 1, MAX_THREADS);
    }

    /** Defaults: 256 tokens, batches of 32, bucketing windows of 512, one thread per available core. */
    public static EmbedderConfig defaults(String backboneId) {
        return new EmbedderConfig(backboneId, DEFAULT_MAX_TOKENS, DEFAULT_BATCH_SIZE, DEFAULT_BUCKET_WINDOW,
                Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors()));
    }

    public EmbedderConfig withBackboneId(String id) {
        return new EmbedderConfig(id, maxTokens, batchSize, bucketWindow, intraOpThreads);
    }

    public EmbedderConfig withMaxTokens(int tokens) {
        return new EmbedderConfig(backboneId, tokens, batchSize, bucketWindow, intraOpThreads);
    }

    /** Changes the batch size, widening the bucketing window if it would fall below it. */
    public EmbedderConfig withBatchSize(int size) {
        return new EmbedderConfig(backboneId, maxTokens, size, Math.max(bucketWindow, size), intraOpThreads);
    }

    public EmbedderConfig withBucketWindow(int window) {
        return new EmbedderConfig(backboneId, maxTokens, batchSize, window, intraOpThreads);
    }

    /** Batches taken in input order: the window is one batch. */
    public EmbedderConfig withoutBucketing() {
        return withBucketWindow(batchSize);
    }

    public EmbedderConfig withIntraOpThreads(int threads) {
        return new EmbedderConfig(backboneId, maxTokens, batchSize, bucketWindow, threads);
    }

    private static void requireRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", was " + value);
        }
    }
}
