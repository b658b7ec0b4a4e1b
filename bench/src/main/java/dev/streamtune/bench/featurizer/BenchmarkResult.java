package dev.streamtune.bench.featurizer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Figures of one benchmark run. Throughputs are totals over all timed rounds, warm-up excluded.
 *
 * @param textsPerS            our embedder (fp32, length-bucketed)
 * @param tokensPerS           our embedder, real tokens (padding not counted, truncation applied)
 * @param rawTextsPerS         the plain ONNX Runtime loop (fp32, input order, same batches and threads)
 * @param ratio                {@code textsPerS / rawTextsPerS}
 * @param unbucketedTextsPerS  our embedder with bucketing off, or NaN when not measured
 * @param unbucketedRatio      {@code unbucketedTextsPerS / rawTextsPerS}: our overhead alone, or NaN
 * @param int8TextsPerS        our embedder on the int8 model
 * @param int8Speedup          {@code int8TextsPerS / textsPerS}
 * @param int8CosineMin        least cosine between a text's int8 and fp32 vectors
 * @param maxAbsDiffVsRaw      largest element difference between our vectors and the baseline's
 */
public record BenchmarkResult(int texts, long tokens, int rounds, int batchSize, int bucketWindow, int threads,
                              int maxTokens, double textsPerS, double tokensPerS, double rawTextsPerS,
                              double ratio, double unbucketedTextsPerS, double unbucketedRatio, double int8TextsPerS,
                              double int8Speedup, double int8CosineMin, double maxAbsDiffVsRaw) {

    /** The JSON document {@code --json} writes; the first six keys are the ones the issue names. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("texts_per_s", textsPerS);
        json.put("tokens_per_s", tokensPerS);
        json.put("raw_texts_per_s", rawTextsPerS);
        json.put("ratio", ratio);
        json.put("int8_speedup", int8Speedup);
        json.put("int8_cosine_min", int8CosineMin);
        json.put("raw_tokens_per_s", rawTextsPerS * tokens / texts);
        json.put("unbucketed_texts_per_s", Double.isNaN(unbucketedTextsPerS) ? null : unbucketedTextsPerS);
        json.put("unbucketed_ratio", Double.isNaN(unbucketedRatio) ? null : unbucketedRatio);
        json.put("int8_texts_per_s", int8TextsPerS);
        json.put("max_abs_diff_vs_raw", maxAbsDiffVsRaw);
        json.put("texts", texts);
        json.put("tokens", tokens);
        json.put("rounds", rounds);
        json.put("batch_size", batchSize);
        json.put("bucket_window", bucketWindow);
        json.put("threads", threads);
        json.put("max_tokens", maxTokens);
        return json;
    }
}
