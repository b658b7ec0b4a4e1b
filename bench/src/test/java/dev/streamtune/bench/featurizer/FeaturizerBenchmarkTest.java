package dev.streamtune.bench.featurizer;

import dev.streamtune.model.EmbedderConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@Tag("model")
class FeaturizerBenchmarkTest {

    @Test
    void smallRunReportsEveryFigureAndAgreesWithTheBaseline() throws Exception {
        List<String> texts = BenchmarkTexts.synthetic(12, 7);
        EmbedderConfig embedder = new EmbedderConfig("all-MiniLM-L6-v2", 64, 4, 12, 1);
        BenchmarkConfig config = new BenchmarkConfig(embedder, "all-MiniLM-L6-v2-int8", 1, false, 0);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        BenchmarkResult result = FeaturizerBenchmark.run(config, texts, new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(result.texts()).isEqualTo(12);
        assertThat(result.tokens()).isBetween(12L * 3, 12L * 64);
        assertThat(result.textsPerS()).isPositive();
        assertThat(result.rawTextsPerS()).isPositive();
        assertThat(result.ratio()).isCloseTo(result.textsPerS() / result.rawTextsPerS(), within(1e-9));
        assertThat(result.tokensPerS()).isCloseTo(result.textsPerS() * result.tokens() / 12, within(1e-6));
        assertThat(result.int8TextsPerS()).isPositive();
        assertThat(result.int8Speedup()).isCloseTo(result.int8TextsPerS() / result.textsPerS(), within(1e-9));
        assertThat(result.int8CosineMin()).isBetween(0.9, 1.0);
        // the baseline computes the same vectors, so the throughput comparison is like for like
        assertThat(result.maxAbsDiffVsRaw()).isLessThan(1e-5);
        assertThat(result.unbucketedTextsPerS()).isNaN();
        assertThat(result.toJson()).containsKeys("texts_per_s", "tokens_per_s", "raw_texts_per_s", "ratio",
                "int8_speedup", "int8_cosine_min");
        assertThat(result.toJson().get("unbucketed_ratio")).isNull();

        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("ratio ours/raw", "int8 (bucketed)", "min cosine to fp32");
        // a progress line per batch (interval 0): 3 batches for each of the 3 variants
        assertThat(output.lines().filter(line -> line.contains("texts/s overall"))).hasSize(9);
        assertThat(output).contains("[round 1/1 raw ORT fp32] 24/36 texts", "ETA");
    }
}
