package dev.streamtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Is the champion above the offline bar (DESIGN.md, "Quality: the bar is the offline baseline")? Each corpus
 * runs through the real pipeline exactly as the demo runs it ({@link CorpusRun}), each in a fresh platform,
 * pipeline and data directory, one after another; then the two scikit-learn anchors are fit on the very split the
 * champion was tested on, read back from the topics, and the champion's test macro-F1 is set beside them.
 */
@Command(name = "quality", mixinStandardHelpOptions = true,
        description = {"Champion test macro-F1 per corpus against two scikit-learn anchors.",
                "Each corpus (spam, fortune, wordnet or FILE.jsonl) runs through the whole pipeline, then",
                "MiniLM embeddings + LogisticRegression and TF-IDF 1-2-grams + LogisticRegression are fit",
                "on the same train/validation/test split (C chosen on validation for both) and scored on test.",
                "Needs /usr/bin/python3 with python3-sklearn. Whole corpora take minutes each on 2 cores;",
                "--limit N streams a stratified sample."})
final class QualityBenchmark implements Callable<Integer> {

    @Option(names = "--corpus", paramLabel = "spam|fortune|wordnet|FILE.jsonl",
            description = "A corpus to run, repeatable: a bundled one or a JSON Lines file of {\"id\", \"label\", \"text\"}"
                    + " objects (task named after the file). Default: spam, fortune and wordnet.")
    List<String> corpora = new ArrayList<>();

    @Option(names = "--json", description = "Also write the figures as JSON to this file.")
    Path json;

    @Option(names = "--data-dir", description = "Where each corpus' fresh data directory is made (and removed after). Default: the temporary directory.")
    Path dataDir;

    @Mixin
    RunOptions run;

    @Mixin
    LearningOptions learning;

    @Mixin
    TechniqueOptions technique;

    @Override
    public Integer call() throws Exception {
        run.deadline();
        run.tick();
        Optional<String> missing = Anchors.unavailable();
        if (missing.isPresent()) {
            System.err.println("bench quality fits its anchors with scikit-learn under " + Anchors.PYTHON + ": "
                    + missing.get() + "; " + Anchors.INSTALL + " (apt-get install python3-sklearn)");
            return 3;
        }
        List<String> specs = corpora.isEmpty() ? CorpusSource.BUNDLED : corpora;
        List<CorpusSource> sources = new ArrayList<>();
        Map<String, Map<String, String>> settings = new LinkedHashMap<>();
        for (String spec : specs) {
            CorpusSource source;
            try {
                source = CorpusSource.resolve(spec, run.limit,
                        bad -> System.err.println(spec + " line " + bad.line() + ": " + bad.problem() + " (skipped)"));
            } catch (IllegalArgumentException | IOException e) {
                System.err.println("--corpus: " + e.getMessage());
                return 2;
            }
            if (settings.containsKey(source.name())) {
                System.err.println("--corpus: " + spec + " is named " + source.name() + ", as an earlier corpus; rename the file");
                return 2;
            }
            Map<String, String> s = CorpusRun.taskSettings(technique, run, source, System.out, System.err);
            if (s == null) {
                return 2;
            }
            sources.add(source);
            settings.put(source.name(), s);
        }

        Map<String, DemoSummary> results = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        for (CorpusSource source : sources) {
            Path data = dataDir != null ? Files.createDirectories(dataDir).resolve(source.name() + "-" + System.nanoTime())
                    : Files.createTempDirectory("streamtune-quality-" + source.name() + "-");
            Files.createDirectories(data);
            boolean ok = false;
            try (CorpusRun corpusRun = CorpusRun.start(source, technique.technique, settings.get(source.name()), learning,
                    run, -1, dev.streamtune.http.HttpServerConfig.LOCALHOST, data, "bench quality", source.name(),
                    System.out, dev.streamtune.schemas.KafkaClientProperties.none())) {
                if (corpusRun.awaitDone(System.err)) {
                    DemoSummary summary = corpusRun.summarize(CorpusRun.AnchorMode.REQUIRED);
                    results.put(source.name(), summary);
                    printTable(System.out, Map.of(source.name(), summary));
                    ok = true;
                }
            } catch (Exception e) {
                System.err.println(source.name() + ": " + e);
            }
            if (ok) {
                deleteRecursively(data);
            } else {
                failed.add(source.name());
                System.err.println(source.name() + ": failed; its data is kept in " + data);
            }
        }

        System.out.println();
        printTable(System.out, results);
        System.out.println("anchors: " + Anchors.METHOD + "; technique " + technique.technique
                + (technique.settings.isEmpty() ? "" : " " + technique.settings));
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), toJson(results));
            System.out.println("figures written to " + json.toAbsolutePath());
        }
        if (!failed.isEmpty()) {
            System.err.println("failed: " + failed);
            return 1;
        }
        return 0;
    }

    /** {"corpora": {NAME: {"champion": {...}, "anchors": {...}, "examples", "wall_s", "first_champion_s"}}}. */
    static Map<String, Object> toJson(Map<String, DemoSummary> results) {
        Map<String, Object> corpora = new LinkedHashMap<>();
        results.forEach((name, s) -> {
            Map<String, Object> champion = new LinkedHashMap<>();
            champion.put("test_macro_f1", s.champion().testMacroF1());
            champion.put("technique", s.champion().technique());
            champion.put("version", s.champion().version());
            Map<String, Object> anchors = new LinkedHashMap<>();
            anchors.put("minilm_lr", s.anchors() == null ? null : s.anchors().minilmLr());
            anchors.put("tfidf_lr", s.anchors() == null ? null : s.anchors().tfidfLr());
            Map<String, Object> corpus = new LinkedHashMap<>();
            corpus.put("champion", champion);
            corpus.put("anchors", anchors);
            corpus.put("examples", s.examplesIn());
            corpus.put("wall_s", s.wallSeconds());
            corpus.put("first_champion_s", s.firstChampionSeconds());
            corpora.put(name, corpus);
        });
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("corpora", corpora);
        return json;
    }

    private static final String FORMAT = "%-16s %8s  %-14s %9s %9s %9s %11s %8s %10s";

    static void printTable(PrintStream out, Map<String, DemoSummary> results) {
        out.println(String.format(FORMAT, "corpus", "examples", "champion", "test mF1", "minilm_lr", "tfidf_lr",
                "champ-best", "wall_s", "1st champ").stripTrailing());
        results.forEach((name, s) -> out.println(row(name, s)));
    }

    static String row(String name, DemoSummary s) {
        DemoSummary.Champion c = s.champion();
        Double margin = s.marginOverBestAnchor();
        return String.format(FORMAT, name, s.examplesIn(),
                c.version() == null ? "none" : c.technique() + " v" + c.version(), DemoSummary.fmt(c.testMacroF1()),
                DemoSummary.fmt(s.anchors() == null ? null : s.anchors().minilmLr()),
                DemoSummary.fmt(s.anchors() == null ? null : s.anchors().tfidfLr()),
                margin == null ? "-" : String.format("%+.4f", margin), String.format("%.0f", s.wallSeconds()),
                s.firstChampionSeconds() == null ? "-" : String.format("%.0f", s.firstChampionSeconds()));
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e.getMessage());
        }
    }
}
