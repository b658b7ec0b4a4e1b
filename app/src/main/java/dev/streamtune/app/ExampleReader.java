package dev.streamtune.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.Split;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads labelled examples from JSON Lines or CSV (with a header row). Each line (or CSV row)
 * becomes a {@link LabelledExample} or a {@link BadLine} naming the line and what is wrong;
 * a bad line never stops the rest. Content checks (empty text, label set, limits) are ingest's
 * job, so that every rule lives in one place; this reader only checks that a line can be read.
 * {@link #corpusFields()} reads only id, text and label and ignores every other field, for corpus
 * files whose lines carry more than an example (see {@link CorpusSource}).
 */
final class ExampleReader {
    static final Set<String> FIELDS = Set.of("id", "task", "text", "label", "weight", "split", "source",
            "eventTime", "metadata");
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Format { JSONL, CSV }

    record BadLine(long line, String problem) {}

    /** An example and the line (or CSV row's first line) it came from. */
    @FunctionalInterface
    interface NumberedExample {
        void accept(long line, LabelledExample example);
    }

    private final String defaultTask;
    private final boolean corpusFields;

    ExampleReader(String defaultTask) {
        this(defaultTask, false);
    }

    private ExampleReader(String defaultTask, boolean corpusFields) {
        this.defaultTask = defaultTask;
        this.corpusFields = corpusFields;
    }

    /** A reader of id, text and label only: other fields are ignored, not refused; the task is left unset. */
    static ExampleReader corpusFields() {
        return new ExampleReader(null, true);
    }

    /** Reads every line, handing each example or bad line to the callbacks; returns the number of lines read. */
    long read(Reader input, Format format, Consumer<LabelledExample> examples, Consumer<BadLine> bad) throws IOException {
        return readNumbered(input, format, (line, example) -> examples.accept(example), bad);
    }

    /** As {@link #read(Reader, Format, Consumer, Consumer)}, with each example's line number. */
    long readNumbered(Reader input, Format format, NumberedExample examples, Consumer<BadLine> bad) throws IOException {
        return format == Format.JSONL ? readJsonLines(input, examples, bad) : readCsv(input, examples, bad);
    }

    private long readJsonLines(Reader input, NumberedExample examples, Consumer<BadLine> bad) throws IOException {
        BufferedReader lines = new BufferedReader(input);
        long n = 0;
        String line;
        while ((line = lines.readLine()) != null) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(line);
                if (!(node instanceof ObjectNode object)) {
                    bad.accept(new BadLine(n, "expected a JSON object, got " + node.getNodeType().name().toLowerCase(Locale.ROOT)));
                    continue;
                }
                examples.accept(n, toExample(object));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                bad.accept(new BadLine(n, "not valid JSON: " + e.getOriginalMessage()));
            } catch (IllegalArgumentException e) {
                bad.accept(new BadLine(n, e.getMessage()));
            }
        }
        return n;
    }

    private long readCsv(Reader input, NumberedExample examples, Consumer<BadLine> bad) throws IOException {
        CsvMapper csv = new CsvMapper();
        csv.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        long rows = 0;
        try (MappingIterator<Map<String, String>> it = csv.readerFor(Map.class).with(schema).readValues(input)) {
            while (true) {
                long line = it.getCurrentLocation() == null ? rows + 2 : it.getCurrentLocation().getLineNr();
                Map<String, String> row;
                try {
                    if (!it.hasNextValue()) {
                        break;
                    }
                    line = it.getCurrentLocation().getLineNr();
                    row = it.nextValue();
                } catch (RuntimeException | IOException e) {
                    bad.accept(new BadLine(line, "unreadable CSV row: " + e.getMessage()));
                    break; // the CSV stream cannot be resynchronised after a broken quote
                }
                rows++;
                try {
                    ObjectNode object = JSON.createObjectNode();
                    for (Map.Entry<String, String> e : row.entrySet()) {
                        if (e.getValue() != null && !e.getValue().isEmpty()) {
                            object.put(e.getKey(), e.getValue());
                        }
                    }
                    examples.accept(line, toExample(object));
                } catch (IllegalArgumentException e) {
                    bad.accept(new BadLine(line, e.getMessage()));
                }
            }
        }
        return rows;
    }

    private LabelledExample toExample(ObjectNode o) {
        if (corpusFields) {
            return LabelledExample.newBuilder().setId(text(o, "id")).setText(text(o, "text")).setLabel(text(o, "label"))
                    .setMetadata(Map.of()).build();
        }
        Iterator<String> names = o.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException("unknown field '" + name + "' (known: " + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
            }
        }
        LabelledExample.Builder b = LabelledExample.newBuilder()
                .setId(text(o, "id"))
                .setTask(o.hasNonNull("task") ? text(o, "task") : defaultTask)
                .setText(text(o, "text"))
                .setLabel(text(o, "label"))
                .setSource(text(o, "source"));
        if (o.hasNonNull("weight")) {
            JsonNode w = o.get("weight");
            try {
                b.setWeight(w.isNumber() ? w.doubleValue() : Double.parseDouble(w.asText().trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("field 'weight' must be a number, got '" + w.asText() + "'");
            }
        }
        if (o.hasNonNull("split")) {
            String s = o.get("split").asText().trim().toUpperCase(Locale.ROOT);
            try {
                b.setSplit(Split.valueOf(s));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("field 'split' must be train, validation or test, got '" + o.get("split").asText() + "'");
            }
        }
        if (o.hasNonNull("eventTime")) {
            JsonNode t = o.get("eventTime");
            try {
                b.setEventTime(t.isNumber() ? Instant.ofEpochMilli(t.longValue()) : Instant.parse(t.asText()));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("field 'eventTime' must be epoch millis or ISO-8601, got '" + t.asText() + "'");
            }
        }
        Map<String, String> metadata = new HashMap<>();
        if (o.hasNonNull("metadata")) {
            JsonNode m = o.get("metadata");
            if (!m.isObject()) {
                throw new IllegalArgumentException("field 'metadata' must be an object of strings");
            }
            m.fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        }
        b.setMetadata(metadata);
        return b.build();
    }

    private static String text(ObjectNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isContainerNode()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string, got " + v.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return v.asText();
    }
}
