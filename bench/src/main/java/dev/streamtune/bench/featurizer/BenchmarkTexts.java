package dev.streamtune.bench.featurizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/** Where benchmark texts come from: a JSONL file (plain or gzipped) or a deterministic generator. */
public final class BenchmarkTexts {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String[] WORDS = ("the a to of and in for on with your you we our is are was be this that it "
            + "free offer click now here money account bank please meeting project report team update attached "
            + "review schedule tomorrow today week price order shipping delivery subscribe unsubscribe list "
            + "linux kernel patch build server error log version release mailing thread reply question answer "
            + "think would could should really thanks regards best hello hi dear friend customer service "
            + "limited time only guaranteed winner prize credit loan mortgage rate lowest cheap discount save "
            + "install configure package debian perl python script regex spam filter score rule header body "
            + "message email address domain http www com net org 2002 100 50 million dollars percent").split(" ");

    private BenchmarkTexts() {
    }

    /**
     * Reads the {@code text} field of each line of a JSONL file ({@code .gz} is decompressed), at most
     * {@code limit} texts. Blank lines are skipped; a line without a string {@code text} is an error.
     */
    public static List<String> fromJsonLines(Path file, int limit) throws IOException {
        List<String> texts = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int lineNumber = 0;
            for (String line; texts.size() < limit && (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode text = JSON.readTree(line).get("text");
                if (text == null || !text.isTextual()) {
                    throw new IllegalArgumentException(file + " line " + lineNumber + ": field 'text' must be a string");
                }
                texts.add(text.asText());
            }
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no texts");
        }
        return texts;
    }

    /**
     * {@code count} email-like texts with a spread of lengths like a mail corpus: about 30% short
     * (subject lines, 3-15 words), 50% medium (20-120 words), 20% long (150-600 words, which the
     * 256-token limit truncates). Same seed, same texts.
     */
    public static List<String> synthetic(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            double kind = random.nextDouble();
            int words = kind < 0.3 ? random.nextInt(3, 16) : kind < 0.8 ? random.nextInt(20, 121) : random.nextInt(150, 601);
            StringBuilder text = new StringBuilder(words * 7);
            for (int w = 0; w < words; w++) {
                if (w > 0) {
                    text.append(random.nextInt(12) == 0 ? ". " : " ");
                }
                text.append(WORDS[random.nextInt(WORDS.length)]);
            }
            texts.add(text.toString());
        }
        return texts;
    }
}
