package dev.streamtune.registry;

import dev.streamtune.schemas.serde.RegistryException;
import static dev.streamtune.registry.Schemas.USER_EMPTY;
import static dev.streamtune.registry.Schemas.USER_NAME_AS_INT;
import static dev.streamtune.registry.Schemas.USER_V1;
import static dev.streamtune.registry.Schemas.USER_V2;
import static dev.streamtune.registry.Schemas.USER_WITH_REQUIRED_EMAIL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.apache.avro.Schema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompatibilityLevelTest {

    /**
     * Each row: level, history (oldest first, '|' separated names), candidate, compatible?
     * V1 {name:string}; V2 adds age with a default; EMAIL adds email without a default;
     * EMPTY has no fields; NAME_INT has name:int with a default (reads EMPTY data, not V1 data).
     */
    @ParameterizedTest(name = "{0}: {1} then {2} -> {3}")
    @CsvSource({
            "NONE, V1, EMAIL, true",
            "BACKWARD, V1, V2, true",
            "BACKWARD, V1, EMAIL, false",
            "BACKWARD, V1, EMPTY, true",
            "FORWARD, V1, EMAIL, true",
            "FORWARD, V1, EMPTY, false",
            "FORWARD, V1, V2, true",
            "FULL, V1, V2, true",
            "FULL, V1, EMAIL, false",
            "FULL, V1, EMPTY, false",
            "BACKWARD, V1|EMPTY, NAME_INT, true",
            "BACKWARD_TRANSITIVE, V1|EMPTY, NAME_INT, false",
            "BACKWARD_TRANSITIVE, V1|V2, V2, true",
            "FORWARD, V1|EMPTY, NAME_INT, true",
            "FORWARD_TRANSITIVE, V1|EMPTY, NAME_INT, false",
            "FULL, V1|EMPTY, NAME_INT, true",
            "FULL_TRANSITIVE, V1|EMPTY, NAME_INT, false",
            "FULL_TRANSITIVE, V1|V2, V2, true",
    })
    void checksWithAvroSchemaCompatibility(CompatibilityLevel level, String history, String candidate,
            boolean compatible) {
        List<Schema> previous = java.util.Arrays.stream(history.split("\\|")).map(CompatibilityLevelTest::schema).toList();
        List<String> problems = level.incompatibilities(schema(candidate), previous);
        assertThat(problems.isEmpty()).as("problems: %s", problems).isEqualTo(compatible);
    }

    @ParameterizedTest
    @CsvSource({"backward, BACKWARD", "Full_Transitive, FULL_TRANSITIVE", "' none ', NONE"})
    void parsesNamesCaseInsensitively(String text, CompatibilityLevel expected) {
        assertThat(CompatibilityLevel.parse(text)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void anUnknownLevelIs42203WithTheValidValues() {
        assertThatThrownBy(() -> CompatibilityLevel.parse("SIDEWAYS"))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(42203);
                    assertThat(e.httpStatus()).isEqualTo(422);
                })
                .hasMessageContaining("SIDEWAYS").hasMessageContaining("FULL_TRANSITIVE");
    }

    @org.junit.jupiter.api.Test
    void incompatibilitiesNameTheFieldAndDirection() {
        List<String> problems = CompatibilityLevel.BACKWARD.incompatibilities(
                schema("EMAIL"), List.of(schema("V1")));
        assertThat(problems).singleElement().asString()
                .contains("new schema cannot read").contains("email");
    }

    private static Schema schema(String name) {
        String text = switch (name) {
            case "V1" -> USER_V1;
            case "V2" -> USER_V2;
            case "EMAIL" -> USER_WITH_REQUIRED_EMAIL;
            case "EMPTY" -> USER_EMPTY;
            case "NAME_INT" -> USER_NAME_AS_INT;
            default -> throw new IllegalArgumentException(name);
        };
        return new Schema.Parser().parse(text);
    }
}
