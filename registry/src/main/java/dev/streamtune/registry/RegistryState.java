package dev.streamtune.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The registry's state, built only by {@link #apply applying} {@link RegistryRecord}s in order, so
 * replaying the schemas topic rebuilds exactly what was served before. Thread-safe: readers run
 * on many HTTP threads while one writer applies.
 */
public final class RegistryState {

    private final Map<Integer, String> schemasById = new HashMap<>();
    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<String, TreeMap<Integer, RegisteredSchema>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int maxId;

    public synchronized void apply(RegistryRecord record) {
        if (record instanceof RegistryRecord.SchemaRegistered registered) {
            RegisteredSchema schema = registered.schema();
            schemasById.put(schema.id(), schema.schema());
            idsBySchema.putIfAbsent(schema.schema(), schema.id());
            subjects.computeIfAbsent(schema.subject(), s -> new TreeMap<>()).put(schema.version(), schema);
            maxId = Math.max(maxId, schema.id());
        } else if (record instanceof RegistryRecord.CompatibilityChanged changed) {
            if (changed.subject().isPresent()) {
                subjectLevels.put(changed.subject().get(), changed.level());
            } else {
                globalLevel = changed.level();
            }
        }
    }

    public synchronized Optional<String> schemaById(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    /** The global id of a schema text (canonical rendering), under whichever subject it was registered. */
    public synchronized OptionalInt idOf(String canonicalSchema) {
        Integer id = idsBySchema.get(canonicalSchema);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The id the next new schema gets: one past the highest ever assigned. */
    public synchronized int nextId() {
        return maxId + 1;
    }

    public synchronized List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    /** Subjects with a compatibility level of their own (with or without versions). */
    public synchronized boolean hasOwnLevel(String subject) {
        return subjectLevels.containsKey(subject);
    }

    /** Subjects with versions or an own level: what {@link RegistryLimits#maxSubjects()} counts. */
    public synchronized int knownSubjectCount() {
        int count = subjects.size();
        for (String subject : subjectLevels.keySet()) {
            if (!subjects.containsKey(subject)) {
                count++;
            }
        }
        return count;
    }

    /** Every version of the subject, oldest first; empty when the subject does not exist. */
    public synchronized List<RegisteredSchema> versions(String subject) {
        TreeMap<Integer, RegisteredSchema> versions = subjects.get(subject);
        return versions == null ? List.of() : List.copyOf(new ArrayList<>(versions.values()));
    }

    public synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    public synchronized CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    /** The level that governs the subject: its own, else the global one. */
    public synchronized CompatibilityLevel effectiveLevel(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }
}
