package dev.streamtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo's closing figures, as a table for people and JSON for scripts.
 *
 * @param examplesIn   corpus records produced to examples.raw
 * @param rejected     records that ended in the dead-letter topic
 * @param versions     candidate versions the trainer published
 * @param promotions   versions the evaluator promoted
 * @param examplesPerS corpus records through the whole pipeline per second of wall time
 */
record DemoSummary(long examplesIn, long rejected, long versions, long promotions, double examplesPerS,
                   double wallSeconds, Champion champion) {

    /** The serving version at the end; null fields when nothing was promoted. */
    record Champion(Long version, String technique, Double testMacroF1, Double testAccuracy,
                    Double validationMacroF1) {}

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
        json.put("examples_in", examplesIn);
        json.put("rejected", rejected);
        json.put("versions", versions);
        json.put("promotions", promotions);
        json.put("examples_per_s", examplesPerS);
        json.put("wall_s", wallSeconds);
        json.put("champion", champ);
        return json;
    }

    void writeJson(Path file) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), toJson());
    }

    void print(PrintStream out) {
        out.println();
        out.println("┌──────────────────────────────┬────────────────────────┐");
        row(out, "examples in", Long.toString(examplesIn));
        row(out, "rejected (dead-letter topic)", Long.toString(rejected));
        row(out, "versions trained", Long.toString(versions));
        row(out, "promotions", Long.toString(promotions));
        row(out, "champion", champion.version() == null ? "none" : "v" + champion.version() + " (" + champion.technique() + ")");
        row(out, "champion test macro-F1", fmt(champion.testMacroF1()));
        row(out, "champion test accuracy", fmt(champion.testAccuracy()));
        row(out, "throughput (examples/s)", String.format("%.1f", examplesPerS));
        row(out, "wall time", String.format("%.0f s", wallSeconds));
        out.println("└──────────────────────────────┴────────────────────────┘");
    }

    private static void row(PrintStream out, String name, String value) {
        out.printf("│ %-28s │ %22s │%n", name, value);
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format("%.4f", v);
    }
}
