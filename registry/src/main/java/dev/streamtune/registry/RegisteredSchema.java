package dev.streamtune.registry;

import java.util.Objects;

/**
 * One version of a subject: its global schema id and the schema text (Avro's canonical JSON
 * rendering of what was registered).
 */
public record RegisteredSchema(String subject, int version, int id, String schema) {

    public RegisteredSchema {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, was " + version);
        }
        if (id < 1) {
            throw new IllegalArgumentException("id must be at least 1, was " + id);
        }
    }
}
