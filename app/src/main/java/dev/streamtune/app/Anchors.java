package dev.streamtune.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtune.avro.Split;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The offline anchors of DESIGN.md ("the bar is the offline baseline"): what a user gets by dumping the topics
 * to a file and fitting scikit-learn, on the very split the champion was tested on. Frozen MiniLM embeddings +
 * logistic regression, and TF-IDF 1-2-grams + logistic regression, each with C chosen on the validation split,
 * fit on train and scored by test macro-F1. The fitting is {@code anchors.py} (a resource of this package) run by
 * Debian's {@code /usr/bin/python3} with python3-sklearn; progress goes to this process' stderr.
 */
final class Anchors {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final String INSTALL = "install python3-sklearn";
    /** How C is chosen, for the reports. */
    static final String METHOD = "C chosen on validation from 0.01..100, refit on train, macro-F1 on test";
    private static final String SCRIPT = "anchors.py";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Anchors() {}

    /** One example of a split topic with its vector from the features topic. */
    record Example(String id, Split split, String label, String text, float[] vector) {}

    /**
     * Test macro-F1 of each anchor (null when it could not be fit, e.g. a single label in train), with the C each
     * chose and the split sizes it saw.
     */
    record Scores(Double minilmLr, Double tfidfLr, Double minilmC, Double tfidfC, long train, long validation, long test) {
        /** The better of the two, or null when neither ran. */
        Double best() {
            if (minilmLr == null) {
                return tfidfLr;
            }
            return tfidfLr == null ? minilmLr : Math.max(minilmLr, tfidfLr);
        }

        /** {"minilm_lr": x, "tfidf_lr": y}: the shape the demo summary and bench quality write. */
        Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("minilm_lr", minilmLr);
            json.put("tfidf_lr", tfidfLr);
            return json;
        }

        String describe() {
            return String.format(Locale.ROOT, "minilm_lr %s (C=%s), tfidf_lr %s (C=%s) on %d/%d/%d train/validation/test"
                            + " examples; %s", fmt(minilmLr), fmtC(minilmC), fmt(tfidfLr), fmtC(tfidfC), train, validation,
                    test, METHOD);
        }

        private static String fmt(Double v) {
            return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
        }

        private static String fmtC(Double c) {
            return c == null ? "-" : java.math.BigDecimal.valueOf(c).stripTrailingZeros().toPlainString();
        }
    }

    /** Why the anchors cannot be computed on this machine, or empty when they can; the remedy is {@link #INSTALL}. */
    static Optional<String> unavailable() {
        return unavailable(PYTHON);
    }

    static Optional<String> unavailable(Path python) {
        if (!Files.isExecutable(python)) {
            return Optional.of(python + " is missing");
        }
        try {
            Process probe = new ProcessBuilder(python.toString(), "-c", "import sklearn, numpy").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            if (!probe.waitFor(60, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
                return Optional.of(python + " did not answer within 60 s");
            }
            return probe.exitValue() == 0 ? Optional.empty()
                    : Optional.of("scikit-learn is not importable by " + python);
        } catch (IOException e) {
            return Optional.of("cannot run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /**
     * Fits both anchors on {@code examples} (train, validation and test together). Throws IOException when the
     * script fails; check {@link #unavailable()} first.
     */
    static Scores compute(List<Example> examples, PrintStream progress) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("streamtune-anchors");
        Path script = dir.resolve(SCRIPT);
        Path dump = dir.resolve("examples.jsonl");
        Path result = dir.resolve("result.json");
        try {
            try (InputStream in = Anchors.class.getResourceAsStream(SCRIPT)) {
                if (in == null) {
                    throw new IOException(SCRIPT + " is not on the classpath beside " + Anchors.class.getName());
                }
                Files.copy(in, script);
            }
            writeDump(dump, examples);
            progress.printf("anchors: fitting on %d examples with scikit-learn (%s)%n", examples.size(), METHOD);
            Process python = new ProcessBuilder(PYTHON.toString(), script.toString(), dump.toString(), result.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!python.waitFor(30, TimeUnit.MINUTES)) {
                // the grid's fits run in joblib worker processes: end them too, or they keep both cores busy
                python.descendants().forEach(ProcessHandle::destroyForcibly);
                python.destroyForcibly();
                throw new IOException(SCRIPT + " did not finish within 30 minutes");
            }
            if (python.exitValue() != 0) {
                throw new IOException(SCRIPT + " exited with status " + python.exitValue()
                        + (python.exitValue() == 3 ? " (" + INSTALL + ")" : " (its stderr is above)"));
            }
            return parse(JSON.readTree(result.toFile()));
        } finally {
            for (Path p : new Path[] {script, dump, result, dir}) {
                Files.deleteIfExists(p);
            }
        }
    }

    static void writeDump(Path file, List<Example> examples) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Example e : examples) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", e.id());
                row.put("split", e.split().name().toLowerCase(Locale.ROOT));
                row.put("label", e.label());
                row.put("text", e.text());
                row.put("vector", e.vector());
                out.write(JSON.writeValueAsString(row));
                out.newLine();
            }
        }
    }

    static Scores parse(JsonNode result) {
        JsonNode rows = result.path("rows");
        return new Scores(number(result.path("minilm_lr").path("test_macro_f1")),
                number(result.path("tfidf_lr").path("test_macro_f1")), number(result.path("minilm_lr").path("C")),
                number(result.path("tfidf_lr").path("C")), rows.path("train").asLong(), rows.path("validation").asLong(),
                rows.path("test").asLong());
    }

    private static Double number(JsonNode node) {
        return node.isNumber() ? node.asDouble() : null;
    }
}
