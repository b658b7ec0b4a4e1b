package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtune.avro.Split;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shapes a script reads: the demo's --summary-json and bench quality's --json; and the anchors' script. */
class CorpusRunSummaryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DemoSummary summary(Anchors.Scores anchors) {
        return new DemoSummary("spam", 400, 2, 5, 3, 12.5, 32.0, 14.2,
                new DemoSummary.Champion(4L, "head", 0.91, 0.93, 0.90), anchors);
    }

    private static final Anchors.Scores SCORES = new Anchors.Scores(0.89, 0.95, 10.0, 100.0, 320, 40, 40);

    @Test
    void demoSummaryJsonCarriesTheAnchorsBesideTheChampion() throws Exception {
        JsonNode json = JSON.valueToTree(summary(SCORES).toJson());
        assertThat(json.path("anchors").path("minilm_lr").asDouble()).isEqualTo(0.89);
        assertThat(json.path("anchors").path("tfidf_lr").asDouble()).isEqualTo(0.95);
        assertThat(fieldNames(json.path("anchors"))).containsExactly("minilm_lr", "tfidf_lr");
        assertThat(json.path("champion").path("test").path("macro_f1").asDouble()).isEqualTo(0.91);
        assertThat(json.path("first_champion_s").asDouble()).isEqualTo(14.2);
        assertThat(json.path("task").asText()).isEqualTo("spam");
        assertThat(fieldNames(json)).contains("examples_in", "rejected", "versions", "promotions", "examples_per_s",
                "wall_s", "champion");

        JsonNode skipped = JSON.valueToTree(summary(null).toJson());
        assertThat(skipped.has("anchors")).isTrue();
        assertThat(skipped.get("anchors").isNull()).isTrue();
    }

    @Test
    void demoTableShowsTheAnchorsAndTheMargin() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        summary(SCORES).print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("champion test macro-F1", "0.9100", "anchor minilm_lr", "0.8900", "anchor tfidf_lr",
                "0.9500", "champion - best anchor", "-0.0400");
        bytes.reset();
        summary(null).print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("skipped");
        assertThat(summary(SCORES).marginOverBestAnchor()).isCloseTo(-0.04, within(1e-12));
        assertThat(summary(null).marginOverBestAnchor()).isNull();
    }

    @Test
    void benchQualityJsonHasExactlyTheDocumentedShape() {
        Map<String, DemoSummary> results = new LinkedHashMap<>();
        results.put("spam", summary(SCORES));
        results.put("reviews", new DemoSummary("reviews", 300, 0, 2, 0, 10, 30, null,
                new DemoSummary.Champion(null, null, null, null, null), new Anchors.Scores(0.7, null, 1.0, null, 240, 30, 30)));

        JsonNode json = JSON.valueToTree(QualityBenchmark.toJson(results));

        assertThat(fieldNames(json)).containsExactly("corpora");
        assertThat(fieldNames(json.path("corpora"))).containsExactly("spam", "reviews");
        JsonNode spam = json.path("corpora").path("spam");
        assertThat(fieldNames(spam)).containsExactly("champion", "anchors", "examples", "wall_s", "first_champion_s");
        assertThat(fieldNames(spam.path("champion"))).containsExactly("test_macro_f1", "technique", "version");
        assertThat(fieldNames(spam.path("anchors"))).containsExactly("minilm_lr", "tfidf_lr");
        assertThat(spam.path("champion").path("test_macro_f1").asDouble()).isEqualTo(0.91);
        assertThat(spam.path("champion").path("technique").asText()).isEqualTo("head");
        assertThat(spam.path("champion").path("version").asLong()).isEqualTo(4);
        assertThat(spam.path("anchors").path("tfidf_lr").asDouble()).isEqualTo(0.95);
        assertThat(spam.path("examples").asLong()).isEqualTo(400);
        assertThat(spam.path("wall_s").asDouble()).isEqualTo(32.0);
        assertThat(spam.path("first_champion_s").asDouble()).isEqualTo(14.2);
        JsonNode reviews = json.path("corpora").path("reviews");
        assertThat(reviews.path("champion").get("version").isNull()).isTrue();
        assertThat(reviews.path("anchors").get("tfidf_lr").isNull()).isTrue();
        assertThat(reviews.get("first_champion_s").isNull()).isTrue();

        String row = QualityBenchmark.row("spam", summary(SCORES));
        assertThat(row).contains("spam", "400", "head v4", "0.9100", "0.8900", "0.9500", "-0.0400", "32", "14");
    }

    @Test
    void theAnchorsScriptFitsBothOnTheGivenSplit(@TempDir Path dir) throws Exception {
        assumeTrue(Anchors.unavailable().isEmpty(), () -> "skipped: " + Anchors.unavailable().orElse(""));
        // two separable classes: label by the sign of the first coordinate, and by a word in the text
        Random random = new Random(7);
        List<Anchors.Example> examples = new ArrayList<>();
        Split[] splits = {Split.TRAIN, Split.TRAIN, Split.TRAIN, Split.VALIDATION, Split.TEST};
        for (int i = 0; i < 200; i++) {
            boolean yes = i % 2 == 0;
            float[] v = new float[8];
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) random.nextGaussian() * 0.3f;
            }
            v[0] += yes ? 1 : -1;
            examples.add(new Anchors.Example("e" + i, splits[i % splits.length], yes ? "yes" : "no",
                    (yes ? "sunny warm " : "rainy cold ") + "day " + i, v));
        }
        Anchors.Scores scores = Anchors.compute(examples, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(scores.train()).isEqualTo(120);
        assertThat(scores.validation()).isEqualTo(40);
        assertThat(scores.test()).isEqualTo(40);
        assertThat(scores.minilmLr()).isGreaterThan(0.9);
        assertThat(scores.tfidfLr()).isEqualTo(1.0);
        assertThat(List.of(0.01, 0.1, 1.0, 10.0, 100.0)).contains(scores.minilmC(), scores.tfidfC());
    }

    @Test
    void aMissingInterpreterOrScikitLearnIsNamed() {
        assertThat(Anchors.unavailable(Path.of("/nonexistent/python3"))).hasValue("/nonexistent/python3 is missing");
        // an interpreter that runs but cannot import scikit-learn: /bin/false exits 1 whatever it is asked
        Path python = Path.of("/bin/false");
        assumeTrue(Files.isExecutable(python));
        assertThat(Anchors.unavailable(python)).hasValue("scikit-learn is not importable by /bin/false");
    }

    @Test
    void theDumpIsOneJsonObjectPerExample(@TempDir Path dir) throws Exception {
        Path dump = dir.resolve("dump.jsonl");
        Anchors.writeDump(dump, List.of(new Anchors.Example("a", Split.VALIDATION, "ham", "hi \"there\"\nnext", new float[] {0.5f, -1f})));
        List<String> lines = Files.readAllLines(dump);
        assertThat(lines).hasSize(1);
        JsonNode row = JSON.readTree(lines.get(0));
        assertThat(fieldNames(row)).containsExactly("id", "split", "label", "text", "vector");
        assertThat(row.path("split").asText()).isEqualTo("validation");
        assertThat(row.path("text").asText()).isEqualTo("hi \"there\"\nnext");
        assertThat(row.path("vector").get(1).asDouble()).isEqualTo(-1.0);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
