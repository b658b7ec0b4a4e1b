package dev.streamtune.registry;

import dev.streamtune.schemas.serde.RegistryException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

/**
 * The registry's rules, independent of HTTP: parsing, identity, ids, versions and compatibility.
 *
 * <p>A schema's identity is Avro's canonical JSON rendering of it ({@link Schema#toString()}), as in
 * Confluent's registry: whitespace and key order do not matter, but docs, defaults, aliases and
 * logical types do. (Avro's "parsing canonical form" would drop defaults, so two schemas that read
 * old data differently would share an id.) The same schema gets the same global id under any subject.
 *
 * <p>Writes are serialized by one lock and go through the {@link SchemaStore} before they are
 * visible, so concurrent registrations of one schema get one id. A single registry instance per
 * schemas topic is the supported deployment: two instances would each assign ids on their own.
 */
public final class SchemaRegistry {

    /** Confluent's schema type name for Avro, the only type this registry serves. */
    public static final String AVRO = "AVRO";
    /** Longer subjects are a mistake (a schema pasted into the path, say), not a name. */
    public static final int MAX_SUBJECT_LENGTH = 1024;

    private final SchemaStore store;
    private final RegistryLimits limits;
    private final ReentrantLock writeLock = new ReentrantLock();

    public SchemaRegistry(SchemaStore store) {
        this(store, RegistryLimits.defaults());
    }

    public SchemaRegistry(SchemaStore store, RegistryLimits limits) {
        this.store = Objects.requireNonNull(store, "store");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Registers {@code schemaText} under {@code subject}, returning its global id. Registering a
     * schema the subject already has returns the existing id and adds no version.
     *
     * @throws RegistryException 42201 for an invalid or non-Avro schema, 409 when incompatible,
     *     42209 for a schema over {@link RegistryLimits#maxSchemaBytes()}, 42205 past the count of
     *     subjects or of the subject's versions
     */
    public int register(String subject, String schemaText, String schemaType, boolean hasReferences) {
        if (subject.isBlank() || subject.length() > MAX_SUBJECT_LENGTH) {
            throw RegistryErrors.invalidSubject(abbreviate(subject));
        }
        Schema schema = parse(schemaText, schemaType, hasReferences);
        String canonical = schema.toString();
        writeLock.lock();
        try {
            RegistryState state = store.state();
            List<RegisteredSchema> versions = state.versions(subject);
            Optional<RegisteredSchema> existing = versions.stream()
                    .filter(v -> v.schema().equals(canonical)).findFirst();
            if (existing.isPresent()) {
                return existing.get().id();
            }
            if (versions.isEmpty() && !state.hasOwnLevel(subject)
                    && state.knownSubjectCount() >= limits.maxSubjects()) {
                throw RegistryErrors.limitReached("Cannot register under a new subject \"" + abbreviate(subject)
                        + "\": the registry has " + state.knownSubjectCount() + " subjects", "maxSubjects",
                        limits.maxSubjects());
            }
            if (versions.size() >= limits.maxVersionsPerSubject()) {
                throw RegistryErrors.limitReached("Cannot register another version of subject \""
                        + abbreviate(subject) + "\": it has " + versions.size() + " versions",
                        "maxVersionsPerSubject", limits.maxVersionsPerSubject());
            }
            CompatibilityLevel level = state.effectiveLevel(subject);
            List<String> problems = level.incompatibilities(schema, parsedHistory(versions));
            if (!problems.isEmpty()) {
                throw RegistryErrors.incompatible("Schema being registered is incompatible with an earlier"
                        + " schema for subject \"" + subject + "\" under " + level + " compatibility, details: "
                        + problems);
            }
            OptionalInt knownId = state.idOf(canonical);
            int id = knownId.isPresent() ? knownId.getAsInt() : state.nextId();
            int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
            store.append(new RegistryRecord.SchemaRegistered(new RegisteredSchema(subject, version, id, canonical)));
            return id;
        } finally {
            writeLock.unlock();
        }
    }

    /** The version of {@code subject} that holds this schema. */
    public RegisteredSchema lookup(String subject, String schemaText, String schemaType, boolean hasReferences) {
        Schema schema = parse(schemaText, schemaType, hasReferences);
        String canonical = schema.toString();
        List<RegisteredSchema> versions = existingVersions(subject);
        return versions.stream().filter(v -> v.schema().equals(canonical)).findFirst()
                .orElseThrow(() -> RegistryErrors.schemaNotFound(
                        "Schema not found under subject '" + subject + "'."));
    }

    public String schemaById(int id) {
        return store.state().schemaById(id)
                .orElseThrow(() -> RegistryErrors.schemaNotFound("Schema " + id + " not found"));
    }

    public List<String> subjects() {
        return store.state().subjects();
    }

    public List<Integer> versionNumbers(String subject) {
        return existingVersions(subject).stream().map(RegisteredSchema::version).toList();
    }

    /** A version of the subject; {@code version} is a number or {@code latest} (or -1). */
    public RegisteredSchema version(String subject, String version) {
        List<RegisteredSchema> versions = existingVersions(subject);
        if (isLatest(version)) {
            return versions.get(versions.size() - 1);
        }
        int number = parseVersion(version);
        return versions.stream().filter(v -> v.version() == number).findFirst()
                .orElseThrow(() -> RegistryErrors.versionNotFound(subject, number));
    }

    /**
     * Whether {@code schemaText} could be registered next: against {@code latest} under the subject's
     * level (every version for a transitive level), or against one chosen version.
     */
    public List<String> compatibilityProblems(String subject, String version, String schemaText, String schemaType,
            boolean hasReferences) {
        Schema candidate = parse(schemaText, schemaType, hasReferences);
        List<RegisteredSchema> versions = existingVersions(subject);
        CompatibilityLevel level = store.state().effectiveLevel(subject);
        if (isLatest(version)) {
            return level.incompatibilities(candidate, parsedHistory(versions));
        }
        RegisteredSchema chosen = version(subject, version);
        return level == CompatibilityLevel.NONE ? List.of()
                : level.pairIncompatibilities(candidate, parseStored(chosen.schema()));
    }

    public CompatibilityLevel globalLevel() {
        return store.state().globalLevel();
    }

    /** The subject's own level, or the global level when the subject has none of its own. */
    public CompatibilityLevel subjectLevel(String subject) {
        return store.state().effectiveLevel(subject);
    }

    /** Sets the level of one subject, or the global level when {@code subject} is empty. */
    public CompatibilityLevel setLevel(Optional<String> subject, CompatibilityLevel level) {
        if (subject.isPresent() && (subject.get().isBlank() || subject.get().length() > MAX_SUBJECT_LENGTH)) {
            throw RegistryErrors.invalidSubject(subject.get());
        }
        writeLock.lock();
        try {
            RegistryState state = store.state();
            if (subject.isPresent() && state.versions(subject.get()).isEmpty() && !state.hasOwnLevel(subject.get())
                    && state.knownSubjectCount() >= limits.maxSubjects()) {
                throw RegistryErrors.limitReached("Cannot set the level of a new subject \""
                        + abbreviate(subject.get()) + "\": the registry has " + state.knownSubjectCount()
                        + " subjects", "maxSubjects", limits.maxSubjects());
            }
            store.append(new RegistryRecord.CompatibilityChanged(subject, level));
            return level;
        } finally {
            writeLock.unlock();
        }
    }

    private List<RegisteredSchema> existingVersions(String subject) {
        List<RegisteredSchema> versions = store.state().versions(subject);
        if (versions.isEmpty()) {
            throw RegistryErrors.subjectNotFound(subject);
        }
        return versions;
    }

    private static List<Schema> parsedHistory(List<RegisteredSchema> versions) {
        return versions.stream().map(v -> parseStored(v.schema())).toList();
    }

    private static Schema parseStored(String canonical) {
        return new Schema.Parser().parse(canonical);
    }

    /** Parses a submitted schema within {@link RegistryLimits#maxSchemaBytes()}. */
    private Schema parse(String schemaText, String schemaType, boolean hasReferences) {
        if (schemaText != null) {
            // a UTF-8 byte is at least one char and at most three per char: skip the count when it cannot matter
            long upperBound = 3L * schemaText.length();
            if (upperBound > limits.maxSchemaBytes()) {
                int bytes = schemaText.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                if (bytes > limits.maxSchemaBytes()) {
                    throw RegistryErrors.schemaTooLarge(bytes, limits.maxSchemaBytes());
                }
            }
        }
        return parseAvro(schemaText, schemaType, hasReferences);
    }

    private static String abbreviate(String subject) {
        return subject.length() > 80 ? subject.substring(0, 80) + "..." : subject;
    }

    /** Parses a submitted schema, refusing anything but a valid, self-contained Avro schema. */
    static Schema parseAvro(String schemaText, String schemaType, boolean hasReferences) {
        if (schemaType != null && !schemaType.isBlank() && !AVRO.equalsIgnoreCase(schemaType)) {
            throw RegistryErrors.invalidSchema("Invalid schema: schemaType " + schemaType
                    + " is not supported; this registry serves AVRO schemas only");
        }
        if (hasReferences) {
            throw RegistryErrors.invalidSchema(
                    "Invalid schema: schema references are not supported; register a self-contained schema");
        }
        if (schemaText == null || schemaText.isBlank()) {
            throw RegistryErrors.invalidSchema("Invalid schema: the 'schema' field is missing or empty");
        }
        try {
            return new Schema.Parser().parse(schemaText);
        } catch (AvroRuntimeException e) {
            throw RegistryErrors.invalidSchema("Invalid schema: " + e.getMessage());
        } catch (RuntimeException e) {
            // the parser reports some malformed input (e.g. a non-string name) with plain runtime errors
            throw RegistryErrors.invalidSchema("Invalid schema: " + e);
        }
    }

    private static boolean isLatest(String version) {
        return "latest".equalsIgnoreCase(version) || "-1".equals(version);
    }

    private static int parseVersion(String version) {
        try {
            int number = Integer.parseInt(version);
            if (number >= 1) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed values
        }
        throw RegistryErrors.invalidVersion(version);
    }
}
