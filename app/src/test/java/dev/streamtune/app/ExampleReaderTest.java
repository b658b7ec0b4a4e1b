package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.Split;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExampleReaderTest {
    private final List<LabelledExample> examples = new ArrayList<>();
    private final List<ExampleReader.BadLine> bad = new ArrayList<>();

    @Test
    void jsonLinesWithABadLineKeepTheRestAndNameTheLine() throws Exception {
        String input = """
                {"id":"a","text":"Win money now","label":"spam","weight":2,"split":"test","metadata":{"src":"x"}}
                {"id":"b","text":"lunch?","label":"ham"
                
                [1,2]
                {"id":"c","text":"hi","label":"ham","weight":"heavy"}
                {"id":"d","text":"hi","label":"ham","colour":"red"}
                {"id":"e","task":"other","text":"ok","label":"ham","eventTime":"2026-01-02T03:04:05Z"}
                """;
        long lines = new ExampleReader("spam").read(new StringReader(input), ExampleReader.Format.JSONL, examples::add, bad::add);

        assertThat(lines).isEqualTo(7);
        assertThat(examples).extracting(LabelledExample::getId).containsExactly("a", "e");
        LabelledExample a = examples.get(0);
        assertThat(a.getTask()).isEqualTo("spam");
        assertThat(a.getWeight()).isEqualTo(2.0);
        assertThat(a.getSplit()).isEqualTo(Split.TEST);
        assertThat(a.getMetadata()).containsEntry("src", "x");
        assertThat(examples.get(1).getTask()).isEqualTo("other");
        assertThat(examples.get(1).getEventTime()).hasToString("2026-01-02T03:04:05Z");
        assertThat(bad).extracting(ExampleReader.BadLine::line).containsExactly(2L, 4L, 5L, 6L);
        assertThat(bad.get(0).problem()).startsWith("not valid JSON");
        assertThat(bad.get(1).problem()).contains("expected a JSON object");
        assertThat(bad.get(2).problem()).contains("'weight' must be a number").contains("heavy");
        assertThat(bad.get(3).problem()).contains("unknown field 'colour'");
    }

    @Test
    void csvWithQuotedNewlinesAndABadRow() throws Exception {
        String input = """
                id,text,label,split
                a,"Subject: hi
                
                multi-line, with commas",ham,
                b,plain,spam,sideways
                c,third,spam,validation
                """;
        new ExampleReader("spam").read(new StringReader(input), ExampleReader.Format.CSV, examples::add, bad::add);

        assertThat(examples).extracting(LabelledExample::getId).containsExactly("a", "c");
        assertThat(examples.get(0).getText()).isEqualTo("Subject: hi\n\nmulti-line, with commas");
        assertThat(examples.get(0).getSplit()).isNull();
        assertThat(examples.get(1).getSplit()).isEqualTo(Split.VALIDATION);
        assertThat(bad).singleElement().satisfies(b -> {
            assertThat(b.line()).isEqualTo(5L);
            assertThat(b.problem()).contains("'split' must be train, validation or test").contains("sideways");
        });
    }
}
