package dev.streamtune.registry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Confluent's compatibility levels, checked with Avro's own {@link SchemaCompatibility}.
 * BACKWARD: the new schema reads data written with the old one; FORWARD: the old reads the new;
 * FULL: both. Plain levels compare with the latest version, transitive ones with every version.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean newReadsOld;
    private final boolean oldReadsNew;
    private final boolean transitive;

    CompatibilityLevel(boolean newReadsOld, boolean oldReadsNew, boolean transitive) {
        this.newReadsOld = newReadsOld;
        this.oldReadsNew = oldReadsNew;
        this.transitive = transitive;
    }

    /** Parses a level name, case-insensitively. */
    public static CompatibilityLevel parse(String name) {
        if (name != null) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // fall through to the error naming the allowed values
            }
        }
        throw RegistryErrors.invalidCompatibilityLevel("Invalid compatibility level '" + name
                + "'. Valid values are " + Arrays.toString(values()));
    }

    public boolean transitive() {
        return transitive;
    }

    /**
     * Why {@code candidate} may not follow {@code history} (oldest first) under this level; empty
     * when it may. Only the latest version counts unless the level is transitive.
     */
    public List<String> incompatibilities(Schema candidate, List<Schema> history) {
        if (this == NONE || history.isEmpty()) {
            return List.of();
        }
        List<Schema> compared = transitive ? history : List.of(history.get(history.size() - 1));
        List<String> problems = new ArrayList<>();
        for (Schema existing : compared) {
            problems.addAll(pairIncompatibilities(candidate, existing));
        }
        return problems;
    }

    /** As {@link #incompatibilities} against one chosen version, whatever the transitivity. */
    public List<String> pairIncompatibilities(Schema candidate, Schema existing) {
        List<String> problems = new ArrayList<>();
        if (newReadsOld) {
            problems.addAll(describe("new schema cannot read data written with an earlier one",
                    SchemaCompatibility.checkReaderWriterCompatibility(candidate, existing)));
        }
        if (oldReadsNew) {
            problems.addAll(describe("an earlier schema cannot read data written with the new one",
                    SchemaCompatibility.checkReaderWriterCompatibility(existing, candidate)));
        }
        return problems;
    }

    private static List<String> describe(String direction, SchemaPairCompatibility result) {
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return List.of();
        }
        String details = result.getResult().getIncompatibilities().stream()
                .map(CompatibilityLevel::describe)
                .collect(Collectors.joining("; "));
        return List.of(direction + ": " + (details.isEmpty() ? result.getDescription() : details));
    }

    private static String describe(Incompatibility incompatibility) {
        return incompatibility.getType() + " at " + incompatibility.getLocation() + " ("
                + incompatibility.getMessage() + ")";
    }
}
