package dev.streamtune.bench.featurizer;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamtune.model.EmbedderConfig;
import dev.streamtune.model.SentenceEmbedder;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.backbone.TokenizedText;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * Featurizer throughput: our {@link SentenceEmbedder} against a plain ONNX Runtime loop on the
 * same texts, batch size, max tokens and threads, in the same run; plus the int8 model's speedup
 * and its cosine to the fp32 vectors.
 *
 * <p>Texts are fed in chunks of the bucketing window, as a featurizer fed by Kafka polls would.
 * Ours sorts each chunk by length before batching; the baseline batches in arrival order (padding
 * each batch to its longest text, like ours). With {@code compareUnbucketed}, ours also runs with
 * bucketing off, which isolates our own overhead from the bucketing gain.
 *
 * <pre>
 * FeaturizerBenchmark (--synthetic N | --input FILE.jsonl[.gz]) [--limit N] [--batch-size 32]
 *     [--window 512] [--threads N] [--max-tokens 256] [--rounds 3] [--seed 42] [--no-unbucketed] [--json FILE]
 * </pre>
 */
public final class FeaturizerBenchmark {

    private FeaturizerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: FeaturizerBenchmark (--synthetic N | --input FILE.jsonl[.gz]) [--limit N] "
                    + "[--batch-size N] [--window N] [--threads N] [--max-tokens N] [--rounds N] [--seed N] "
                    + "[--no-unbucketed] [--json FILE]");
            System.exit(2);
            return;
        }
        List<String> texts = arguments.input == null
                ? BenchmarkTexts.synthetic(arguments.synthetic, arguments.seed)
                : BenchmarkTexts.fromJsonLines(arguments.input, arguments.limit);
        BenchmarkResult result = run(arguments.config, texts, System.out);
        if (arguments.json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(arguments.json.toFile(), result.toJson());
            System.out.println("wrote " + arguments.json);
        }
    }

    /** Runs the comparison, printing progress and the figures to {@code out}. */
    public static BenchmarkResult run(BenchmarkConfig config, List<String> texts, PrintStream out)
            throws IOException, OrtException {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("texts must not be empty");
        }
        EmbedderConfig fp32Config = config.embedder();
        int chunk = fp32Config.bucketWindow();
        List<List<String>> chunks = new ArrayList<>();
        for (int start = 0; start < texts.size(); start += chunk) {
            chunks.add(texts.subList(start, Math.min(texts.size(), start + chunk)));
        }
        List<String> warmUp = texts.subList(0, Math.min(texts.size(), Math.max(2 * fp32Config.batchSize(), 16)));

        out.printf(Locale.ROOT, "featurizer benchmark: %d texts, batch %d, window %d, %d threads, max %d tokens, %d rounds%n",
                texts.size(), fp32Config.batchSize(), chunk, fp32Config.intraOpThreads(), fp32Config.maxTokens(),
                config.rounds());
        try (SentenceEmbedder ours = SentenceEmbedder.open(fp32Config);
             SentenceEmbedder int8 = SentenceEmbedder.open(fp32Config.withBackboneId(config.int8BackboneId()));
             SentenceEmbedder unbucketed = config.compareUnbucketed() ? SentenceEmbedder.open(fp32Config.withoutBucketing()) : null;
             RawOrtBaseline raw = new RawOrtBaseline(BackboneRegistry.standard().byId(fp32Config.backboneId()),
                     fp32Config.maxTokens(), fp32Config.batchSize(), fp32Config.intraOpThreads())) {
            long tokens = 0;
            for (TokenizedText text : ours.tokenizer().encodeAll(texts)) {
                tokens += text.tokenCount();
            }
            out.printf(Locale.ROOT, "  %d tokens after truncation (%.1f per text)%n", tokens, (double) tokens / texts.size());

            // warm-up: first calls allocate ORT arenas and JIT-compile the Java side; not timed
            ours.embed(warmUp);
            int8.embed(warmUp);
            raw.embed(warmUp, done -> { });
            if (unbucketed != null) {
                unbucketed.embed(warmUp);
            }

            List<String> names = new ArrayList<>(List.of("ours fp32", "raw ORT fp32", "ours int8"));
            List<Embedding> variants = new ArrayList<>(List.of(ours::embed, raw::embed, int8::embed));
            if (unbucketed != null) {
                names.add("ours fp32 unbucketed");
                variants.add(unbucketed::embed);
            }
            int count = variants.size();
            ProgressMeter progress = new ProgressMeter(out, (long) count * config.rounds() * texts.size(),
                    config.progressMillis());
            long[] nanos = new long[count];
            float[][][] vectors = new float[count][][];
            for (int round = 0; round < config.rounds(); round++) {
                // each round starts with the next variant, so a load drift from other processes
                // does not always fall on the variant that runs last
                for (int k = 0; k < count; k++) {
                    int v = (round + k) % count;
                    long start = System.nanoTime();
                    vectors[v] = embedChunks(chunks, variants.get(v), progress,
                            "round " + (round + 1) + "/" + config.rounds() + " " + names.get(v));
                    nanos[v] += System.nanoTime() - start;
                }
            }
            long oursNanos = nanos[0];
            long rawNanos = nanos[1];
            long int8Nanos = nanos[2];
            long unbucketedNanos = unbucketed == null ? 0 : nanos[3];
            float[][] oursVectors = vectors[0];
            float[][] rawVectors = vectors[1];
            float[][] int8Vectors = vectors[2];

            double timedTexts = (double) texts.size() * config.rounds();
            double textsPerS = timedTexts / (oursNanos / 1e9);
            double rawTextsPerS = timedTexts / (rawNanos / 1e9);
            double int8TextsPerS = timedTexts / (int8Nanos / 1e9);
            double unbucketedTextsPerS = unbucketed == null ? Double.NaN : timedTexts / (unbucketedNanos / 1e9);
            BenchmarkResult result = new BenchmarkResult(texts.size(), tokens, config.rounds(), fp32Config.batchSize(),
                    chunk, fp32Config.intraOpThreads(), fp32Config.maxTokens(),
                    textsPerS, textsPerS * tokens / texts.size(), rawTextsPerS, textsPerS / rawTextsPerS,
                    unbucketedTextsPerS, unbucketedTextsPerS / rawTextsPerS,
                    int8TextsPerS, int8TextsPerS / textsPerS, minCosine(oursVectors, int8Vectors),
                    maxAbsDiff(oursVectors, rawVectors));
            print(result, out);
            return result;
        }
    }

    @FunctionalInterface
    private interface Embedding {
        float[][] embed(List<String> texts, IntConsumer batchDone) throws OrtException;
    }

    private static float[][] embedChunks(List<List<String>> chunks, Embedding embedding, ProgressMeter progress,
                                         String phase) throws OrtException {
        List<float[]> vectors = new ArrayList<>();
        for (List<String> chunk : chunks) {
            for (float[] vector : embedding.embed(chunk, done -> progress.advance(phase, done))) {
                vectors.add(vector);
            }
        }
        return vectors.toArray(float[][]::new);
    }

    private static void print(BenchmarkResult r, PrintStream out) {
        out.printf(Locale.ROOT, "ours (fp32, bucketed):   %8.1f texts/s  %9.0f tokens/s%n", r.textsPerS(), r.tokensPerS());
        out.printf(Locale.ROOT, "raw ORT (fp32, in order): %7.1f texts/s  %9.0f tokens/s%n", r.rawTextsPerS(),
                r.rawTextsPerS() * r.tokens() / r.texts());
        out.printf(Locale.ROOT, "ratio ours/raw:           %7.3f   (goal >= 0.9)%n", r.ratio());
        if (!Double.isNaN(r.unbucketedTextsPerS())) {
            out.printf(Locale.ROOT, "ours unbucketed:          %7.1f texts/s, ratio to raw %.3f (our overhead alone)%n",
                    r.unbucketedTextsPerS(), r.unbucketedRatio());
        }
        out.printf(Locale.ROOT, "int8 (bucketed):          %7.1f texts/s, speedup over fp32 %.2fx, min cosine to fp32 %.4f%n",
                r.int8TextsPerS(), r.int8Speedup(), r.int8CosineMin());
        out.printf(Locale.ROOT, "max |ours - raw| per element: %.2e%n", r.maxAbsDiffVsRaw());
    }

    private static double minCosine(float[][] a, float[][] b) {
        double min = Double.MAX_VALUE;
        for (int i = 0; i < a.length; i++) {
            double dot = 0;
            for (int h = 0; h < a[i].length; h++) {
                dot += (double) a[i][h] * b[i][h];
            }
            min = Math.min(min, dot);
        }
        return min;
    }

    private static double maxAbsDiff(float[][] a, float[][] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int h = 0; h < a[i].length; h++) {
                max = Math.max(max, Math.abs(a[i][h] - b[i][h]));
            }
        }
        return max;
    }

    /** Command-line arguments, checked. */
    private record Arguments(BenchmarkConfig config, Path input, int synthetic, int limit, long seed, Path json) {

        static Arguments parse(String[] args) {
            BenchmarkConfig defaults = BenchmarkConfig.defaults();
            EmbedderConfig embedder = defaults.embedder();
            int rounds = defaults.rounds();
            boolean unbucketed = defaults.compareUnbucketed();
            Path input = null;
            Path json = null;
            int synthetic = 0;
            int limit = Integer.MAX_VALUE;
            long seed = 42;
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                switch (flag) {
                    case "--synthetic" -> synthetic = positive(flag, value(args, ++i, flag));
                    case "--input" -> input = Path.of(value(args, ++i, flag));
                    case "--limit" -> limit = positive(flag, value(args, ++i, flag));
                    case "--batch-size" -> embedder = embedder.withBatchSize(positive(flag, value(args, ++i, flag)));
                    case "--window" -> embedder = embedder.withBucketWindow(positive(flag, value(args, ++i, flag)));
                    case "--threads" -> embedder = embedder.withIntraOpThreads(positive(flag, value(args, ++i, flag)));
                    case "--max-tokens" -> embedder = embedder.withMaxTokens(positive(flag, value(args, ++i, flag)));
                    case "--rounds" -> rounds = positive(flag, value(args, ++i, flag));
                    case "--seed" -> seed = Long.parseLong(value(args, ++i, flag));
                    case "--no-unbucketed" -> unbucketed = false;
                    case "--json" -> json = Path.of(value(args, ++i, flag));
                    default -> {
                        if (flag.startsWith("--") || input != null) {
                            throw new IllegalArgumentException("unknown argument '" + flag + "'");
                        }
                        input = Path.of(flag);
                    }
                }
            }
            if ((input == null) == (synthetic == 0)) {
                throw new IllegalArgumentException("give exactly one of --synthetic N and --input FILE");
            }
            BenchmarkConfig config = new BenchmarkConfig(embedder, defaults.int8BackboneId(), rounds, unbucketed,
                    defaults.progressMillis());
            return new Arguments(config, input, synthetic, limit, seed, json);
        }

        private static String value(String[] args, int index, String flag) {
            if (index >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return args[index];
        }

        private static int positive(String flag, String value) {
            try {
                int parsed = Integer.parseInt(value);
                if (parsed < 1) {
                    throw new IllegalArgumentException(flag + " must be >= 1, was " + value);
                }
                return parsed;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " must be an integer, was '" + value + "'");
            }
        }
    }
}
