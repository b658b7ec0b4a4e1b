package dev.streamtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A corpus run's closing figures ({@link CorpusRun}), as a table for people and JSON for scripts: the demo's
 * summary, and one row of {@code bench quality}.
 *
 * @param task                 the task the corpus was declared as
 * @param examplesIn           corpus records produced to examples.raw
 * @param rejected             records that ended in the dead-letter topic
 * @param versions             candidate versions the trainer published
 * @param promotions           versions the evaluator promoted
 * @param examplesPerS         corpus records through the whole pipeline per second of wall time
 * @param firstChampionSeconds seconds from the run's start to the first promotion; null when there was none
 * @param anchors              the offline anchors on the same split; null when they were not computed
 */
record DemoSummary(String task, long examplesIn, long rejected, long versions, long promotions, double examplesPerS,
                   double wallSeconds, Double firstChampionSeconds, Champion champion, Anchors.Scores anchors) {

    /** The serving version at the end; null fields when nothing was promoted. */
    record Champion(Long version, String technique, Double testMacroF1, Double testAccuracy,
                    Double validationMacroF1) {}

    DemoSummary withAnchors(Anchors.Scores scores) {
        return new DemoSummary(task, examplesIn, rejected, versions, promotions, examplesPerS, wallSeconds,
                firstChampionSeconds, champion, scores);
    }

    /** Champion test macro-F1 minus the better anchor's; null when either is missing. */
    Double marginOverBestAnchor() {
        Double best = anchors == null ? null : anchors.best();
        return best == null || champion.testMacroF1() == null ? null : champion.testMacroF1() - best;
    }

    Map<String, Object> toJson() {
        Map<String, Object> test = new LinkedHashMap<>();
        test.put("macro_f1", champion.testMacroF1());
        test.put("accuracy", champion.testAccuracy());
        Map<String, Object> champ = new LinkedHashMap<>();
        champ.put("version", champion.version());
        champ.put("technique", champion.technique());
        champ.put("test", test);
        champ.put("validation_macro_f1", champion.validationMacroF1());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("task", task);
        json.put("examples_in", examplesIn);
        json.put("rejected", rejected);
        json.put("versions", versions);
        json.put("promotions", promotions);
        json.put("examples_per_s", examplesPerS);
        json.put("wall_s", wallSeconds);
        json.put("first_champion_s", firstChampionSeconds);
        json.put("champion", champ);
        json.put("anchors", anchors == null ? null : anchors.toJson());
        return json;
    }

    void writeJson(Path file) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), toJson());
    }

    void print(PrintStream out) {
        out.println();
        out.println("┌──────────────────────────────┬────────────────────────┐");
        row(out, "task", task);
        row(out, "examples in", Long.toString(examplesIn));
        row(out, "rejected (dead-letter topic)", Long.toString(rejected));
        row(out, "versions trained", Long.toString(versions));
        row(out, "promotions", Long.toString(promotions));
        row(out, "first promotion after", firstChampionSeconds == null ? "-" : String.format("%.0f s", firstChampionSeconds));
        row(out, "champion", champion.version() == null ? "none" : "v" + champion.version() + " (" + champion.technique() + ")");
        row(out, "champion test macro-F1", fmt(champion.testMacroF1()));
        row(out, "champion test accuracy", fmt(champion.testAccuracy()));
        row(out, "anchor minilm_lr test mF1", anchors == null ? "skipped" : fmt(anchors.minilmLr()));
        row(out, "anchor tfidf_lr test mF1", anchors == null ? "skipped" : fmt(anchors.tfidfLr()));
        Double margin = marginOverBestAnchor();
        row(out, "champion - best anchor", margin == null ? "-" : String.format("%+.4f", margin));
        row(out, "throughput (examples/s)", String.format("%.1f", examplesPerS));
        row(out, "wall time", String.format("%.0f s", wallSeconds));
        out.println("└──────────────────────────────┴────────────────────────┘");
    }

    private static void row(PrintStream out, String name, String value) {
        out.printf("│ %-28s │ %22s │%n", name, value);
    }

    static String fmt(Double v) {
        return v == null ? "-" : String.format("%.4f", v);
    }
}
