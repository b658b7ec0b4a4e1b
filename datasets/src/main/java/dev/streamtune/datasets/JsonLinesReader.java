package dev.streamtune.datasets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.zip.GZIPInputStream;

/** Streams the examples of a gzip'd JSON-lines corpus: one object per line with id, group, label, text. */
final class JsonLinesReader {

    private static final JsonFactory JSON = new JsonFactory();

    private JsonLinesReader() {
    }

    /** A lazy stream over the classpath resource; closing the stream closes the resource. */
    static Stream<CorpusExample> streamResource(String resource, LoadOptions options) {
        InputStream in = JsonLinesReader.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("corpus resource " + resource + " is not on the classpath");
        }
        return stream(resource, in, options);
    }

    /** A lazy stream over gzip'd JSON lines read from {@code in}; {@code source} names it in errors. */
    static Stream<CorpusExample> stream(String source, InputStream in, LoadOptions options) {
        BufferedReader reader;
        try {
            reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(in, 1 << 16), StandardCharsets.UTF_8));
        } catch (IOException e) {
            closeQuietly(in, e);
            throw new UncheckedIOException("cannot open corpus " + source + " as gzip", e);
        }
        Iterator<CorpusExample> examples = new Iterator<>() {
            private int lineNumber;
            private CorpusExample next;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                try {
                    String line;
                    do {
                        line = reader.readLine();
                        lineNumber++;
                    } while (line != null && line.isBlank());
                    if (line == null) {
                        return false;
                    }
                    next = options.apply(parseLine(source, lineNumber, line));
                    return true;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read corpus " + source + " at line " + lineNumber, e);
                }
            }

            @Override
            public CorpusExample next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                CorpusExample result = next;
                next = null;
                return result;
            }
        };
        Spliterator<CorpusExample> spliterator =
                Spliterators.spliteratorUnknownSize(examples, Spliterator.ORDERED | Spliterator.NONNULL);
        return StreamSupport.stream(spliterator, false).onClose(() -> {
            try {
                reader.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close corpus " + source, e);
            }
        });
    }

    static CorpusExample parseLine(String source, int lineNumber, String line) {
        String id = null;
        String group = null;
        String label = null;
        String text = null;
        try (JsonParser parser = JSON.createParser(line)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw malformed(source, lineNumber, "expected a JSON object", null);
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value != JsonToken.VALUE_STRING) {
                    parser.skipChildren(); // unknown or non-string fields are ignored, known ones checked below
                    if (field.equals("id") || field.equals("group") || field.equals("label") || field.equals("text")) {
                        throw malformed(source, lineNumber, "field '" + field + "' must be a string", null);
                    }
                    continue;
                }
                switch (field) {
                    case "id" -> id = parser.getText();
                    case "group" -> group = parser.getText();
                    case "label" -> label = parser.getText();
                    case "text" -> text = parser.getText();
                    default -> { }
                }
            }
        } catch (JsonProcessingException e) {
            throw malformed(source, lineNumber, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse corpus " + source + " line " + lineNumber, e);
        }
        try {
            return new CorpusExample(id, group, label, text);
        } catch (RuntimeException e) {
            throw malformed(source, lineNumber, e.getMessage(), e);
        }
    }

    private static IllegalArgumentException malformed(String source, int lineNumber, String why, Exception cause) {
        return new IllegalArgumentException("corpus " + source + " line " + lineNumber + ": " + why, cause);
    }

    private static void closeQuietly(InputStream in, Exception failure) {
        try {
            in.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
