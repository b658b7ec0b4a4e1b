package dev.streamtune.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.TaskSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The contracts are built to evolve: producers may omit optional fields, readers survive new enum symbols. */
class ContractsTest {

    @Test
    void everyProducerFacingFieldHasADefaultSoOldProducersStillValidate() {
        for (Schema.Field f : LabelledExample.getClassSchema().getFields()) {
            assertThat(f.hasDefaultValue()).as("LabelledExample." + f.name() + " has a default").isTrue();
        }
        for (Schema.Field f : TaskSpec.getClassSchema().getFields()) {
            if (!f.name().equals("task")) {
                assertThat(f.hasDefaultValue()).as("TaskSpec." + f.name() + " has a default").isTrue();
            }
        }
    }

    @Test
    void everyEnumInEveryContractHasADefaultSymbol() {
        List<Schema> enums = new ArrayList<>();
        for (Schema root : List.of(LabelledExample.getClassSchema(), ModelUpdate.getClassSchema(),
                MetricsEvent.getClassSchema(), dev.streamtune.avro.FeatureVector.getClassSchema())) {
            collectEnums(root, enums, new HashSet<>());
        }
        assertThat(enums).extracting(Schema::getName).contains("Split", "UpdateAction", "MetricKind");
        for (Schema e : enums) {
            assertThat(e.getEnumDefault()).as(e.getName() + " default symbol").isNotNull();
        }
    }

    private static void collectEnums(Schema s, List<Schema> out, Set<String> seen) {
        switch (s.getType()) {
            case ENUM -> {
                if (seen.add(s.getFullName())) {
                    out.add(s);
                }
            }
            case RECORD -> {
                if (seen.add(s.getFullName())) {
                    s.getFields().forEach(f -> collectEnums(f.schema(), out, seen));
                }
            }
            case UNION -> s.getTypes().forEach(t -> collectEnums(t, out, seen));
            case ARRAY -> collectEnums(s.getElementType(), out, seen);
            case MAP -> collectEnums(s.getValueType(), out, seen);
            default -> { }
        }
    }

    @Test
    void topicNamesComeFromOnePlaceAndFeatureTopicsAreSafeNames() {
        Topics t = Topics.defaults();
        assertThat(t.splits()).containsExactly("examples.train", "examples.validation", "examples.test");
        assertThat(t.features("all-MiniLM-L6-v2")).isEqualTo("features.all-minilm-l6-v2");
        assertThat(Topics.withPrefix("staging.").dlq()).isEqualTo("staging.examples.dlq");
        assertThatThrownBy(() -> new Topics("", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"))
                .hasMessageContaining("blank");
    }
}
