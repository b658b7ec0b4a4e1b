package dev.streamtune.registry;

import java.util.Objects;
import java.util.Optional;

/** One durable change of registry state: what the schemas topic holds, one record per change. */
public sealed interface RegistryRecord {

    /** A new version of a subject. */
    record SchemaRegistered(RegisteredSchema schema) implements RegistryRecord {
        public SchemaRegistered {
            Objects.requireNonNull(schema, "schema");
        }
    }

    /** A compatibility level for one subject, or the global default when the subject is empty. */
    record CompatibilityChanged(Optional<String> subject, CompatibilityLevel level) implements RegistryRecord {
        public CompatibilityChanged {
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(level, "level");
        }
    }
}
