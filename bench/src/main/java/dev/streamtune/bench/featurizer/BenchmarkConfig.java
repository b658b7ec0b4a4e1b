package dev.streamtune.bench.featurizer;

import dev.streamtune.model.EmbedderConfig;

/**
 * What {@link FeaturizerBenchmark} compares.
 *
 * @param embedder          the fp32 embedder configuration measured; the baseline uses the same
 *                          batch size, max tokens and threads, and the int8 run the same everything
 * @param int8BackboneId    the quantized variant whose speedup and cosine to fp32 are reported
 * @param rounds            timed passes over the texts; the variants alternate within each round so
 *                          load from other processes hits them alike
 * @param compareUnbucketed also time our embedder with bucketing off, to separate the bucketing
 *                          gain from our overhead (costs one more model load)
 * @param progressMillis    least interval between progress lines
 */
public record BenchmarkConfig(EmbedderConfig embedder, String int8BackboneId, int rounds, boolean compareUnbucketed,
                              long progressMillis) {

    public BenchmarkConfig {
        if (embedder == null) {
            throw new IllegalArgumentException("embedder config must not be null");
        }
        if (int8BackboneId == null || int8BackboneId.isBlank()) {
            throw new IllegalArgumentException("int8BackboneId must be a non-blank backbone id");
        }
        if (rounds < 1 || rounds > 1000) {
            throw new IllegalArgumentException("rounds must be between 1 and 1000, was " + rounds);
        }
        if (progressMillis < 0) {
            throw new IllegalArgumentException("progressMillis must be >= 0, was " + progressMillis);
        }
    }

    public static BenchmarkConfig defaults() {
        return new BenchmarkConfig(EmbedderConfig.defaults("all-MiniLM-L6-v2"), "all-MiniLM-L6-v2-int8", 3, true, 2000);
    }
}
