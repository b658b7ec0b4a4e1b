package dev.streamtune.app;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.datasets.Corpus;
import dev.streamtune.datasets.CorpusExample;
import dev.streamtune.datasets.SpamAssassin;
import dev.streamtune.ingest.TextNormalizer;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The corpus a run streams through the local pipeline ({@code demo --corpus}, {@code bench quality --corpus}):
 * a bundled corpus by name ({@code spam}, {@code fortune}, {@code wordnet}) or a JSON Lines file of
 * {@code id}, {@code label}, {@code text} objects (other fields ignored), declared as one task with the
 * closed label set the corpus holds.
 *
 * @param name        what reports call the corpus: the bundled name, or the task name of a file
 * @param task        the task it is declared as
 * @param corpus      its examples
 * @param description the task's description
 */
record CorpusSource(String name, String task, Corpus corpus, String description) {
    /** The bundled corpora, in the order {@code bench quality} runs them by default. */
    static final List<String> BUNDLED = List.of("spam", "fortune", "wordnet");
    /** Seed of every {@code --limit} sample, so a run and its rerun stream the same examples. */
    static final long SAMPLE_SEED = 42;
    /** The trainer's rule for task names (TrainerServiceConfig), which also names its checkpoint directory. */
    static final Pattern TASK_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    CorpusSource {
        Objects.requireNonNull(corpus, "corpus");
        if (!TASK_NAME.matcher(task).matches()) {
            throw new IllegalArgumentException("task must be 1-200 characters of [A-Za-z0-9._-], got '" + task + "'");
        }
    }

    /** The task's labels in output order (sorted): every label the corpus holds, a closed set. */
    List<String> labels() {
        return List.copyOf(corpus.labels());
    }

    int size() {
        return corpus.size();
    }

    /**
     * A bundled corpus by name, or a {@code .jsonl} file by path, whole or as a stratified sample of
     * {@code limit} examples (0, or at least the corpus' size: the whole corpus). Lines of a file that cannot be
     * used are handed to {@code bad} and skipped. Throws IllegalArgumentException naming what is wrong with
     * {@code spec} itself (no such file, no usable line, a single label).
     */
    static CorpusSource resolve(String spec, int limit, Consumer<ExampleReader.BadLine> bad) throws IOException {
        Path file = Path.of(spec);
        CorpusSource whole;
        if (BUNDLED.contains(spec) && !Files.exists(file)) {
            whole = bundled(spec);
        } else if (Files.isRegularFile(file)) {
            whole = fromJsonLines(file, bad);
        } else {
            throw new IllegalArgumentException("no corpus '" + spec + "': give spam, fortune, wordnet or a JSON Lines file"
                    + " of {\"id\", \"label\", \"text\"} objects");
        }
        return whole.limitedTo(limit);
    }

    /** A stratified sample of {@code limit} examples (seed {@value #SAMPLE_SEED}); this corpus when it has no more. */
    CorpusSource limitedTo(int limit) {
        if (limit <= 0 || limit >= corpus.size()) {
            return this;
        }
        return new CorpusSource(name, task, corpus.stratifiedSample(limit, SAMPLE_SEED), description);
    }

    private static CorpusSource bundled(String name) {
        return switch (name) {
            // whole texts, as the demo has always streamed them: ingest sends the 32 over its limit to the DLQ
            case "spam" -> new CorpusSource(name, DemoCommand.TASK, SpamAssassin.load(), "SpamAssassin public corpus");
            case "fortune" -> fromBundled(ProduceCommand.BundledCorpus.fortune);
            case "wordnet" -> fromBundled(ProduceCommand.BundledCorpus.wordnet);
            default -> throw new IllegalArgumentException("no bundled corpus '" + name + "'; there are " + BUNDLED);
        };
    }

    private static CorpusSource fromBundled(ProduceCommand.BundledCorpus bundled) {
        Corpus all = bundled.load(0);
        return new CorpusSource(bundled.name(), bundled.name(), all, "bundled corpus " + all.name());
    }

    /**
     * The examples of a JSON Lines file, task named after its stem ({@link #taskNameFor}). A line is skipped and
     * handed to {@code bad} with its number when it is not a JSON object, lacks a non-blank id, label or text, or
     * repeats an earlier line's id. Labels are normalized as ingest normalizes them, so the closed label set
     * declared from this corpus admits every one of its examples.
     */
    static CorpusSource fromJsonLines(Path file, Consumer<ExampleReader.BadLine> bad) throws IOException {
        String task = taskNameFor(file);
        List<CorpusExample> examples = new ArrayList<>();
        Map<String, Long> firstLine = new HashMap<>();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            ExampleReader.corpusFields().readNumbered(in, ExampleReader.Format.JSONL, (line, e) -> {
                String problem = problem(e);
                Long first = problem == null ? firstLine.putIfAbsent(e.getId(), line) : null;
                if (problem == null && first != null) {
                    problem = "duplicate id '" + e.getId() + "' (first on line " + first + ")";
                }
                if (problem != null) {
                    bad.accept(new ExampleReader.BadLine(line, problem));
                    return;
                }
                examples.add(new CorpusExample(e.getId(), task, TextNormalizer.normalize(e.getLabel()), e.getText()));
            }, bad);
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(file + " has no usable line: each needs a JSON object with a non-blank"
                    + " \"id\", \"label\" and \"text\"");
        }
        Corpus corpus = new Corpus(task, examples);
        if (corpus.labels().size() < 2) {
            throw new IllegalArgumentException(file + " has a single label " + corpus.labels()
                    + "; a classifier needs at least two");
        }
        return new CorpusSource(task, task, corpus, "corpus file " + file.getFileName());
    }

    private static String problem(LabelledExample e) {
        for (String field : new String[] {"id", "label", "text"}) {
            String value = switch (field) {
                case "id" -> e.getId();
                case "label" -> e.getLabel();
                default -> e.getText();
            };
            if (value == null) {
                return "field '" + field + "' is missing";
            }
            if (TextNormalizer.normalize(value).isEmpty()) {
                return "field '" + field + "' is blank";
            }
        }
        return null;
    }

    /**
     * The task a corpus file is declared as: its name without the extension ({@code reviews.jsonl} is
     * {@code reviews}), each run of characters outside [A-Za-z0-9._-] replaced by one '-', leading dots and dashes
     * and trailing dashes dropped (the task names a checkpoint directory: never {@code .} or {@code ..}), cut to 200
     * characters; {@code corpus} when nothing is left.
     */
    static String taskNameFor(Path file) {
        String stem = file.getFileName().toString();
        int dot = stem.lastIndexOf('.');
        if (dot > 0) {
            stem = stem.substring(0, dot);
        }
        String task = stem.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[-.]+|-+$", "");
        if (task.length() > 200) {
            task = task.substring(0, 200);
        }
        return task.isEmpty() ? "corpus" : task;
    }
}
