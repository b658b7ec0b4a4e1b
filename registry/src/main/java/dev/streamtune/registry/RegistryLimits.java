package dev.streamtune.registry;

/**
 * How much the registry accepts, so that a client (or an attacker who can reach it) cannot grow
 * its memory and its schemas topic without bound. Past a limit a registration gets Confluent's
 * error code: 42209 for a schema too large, 42205 (operation not permitted) for a count.
 *
 * @param maxSubjects           subjects at most (with a version or an own compatibility level)
 * @param maxVersionsPerSubject versions of one subject at most
 * @param maxSchemaBytes        a submitted schema's text at most, in UTF-8 bytes
 */
public record RegistryLimits(int maxSubjects, int maxVersionsPerSubject, int maxSchemaBytes) {

    public static final int MAX_SCHEMA_BYTES = 16 << 20;

    public RegistryLimits {
        if (maxSubjects < 1 || maxSubjects > 1_000_000) {
            throw new IllegalArgumentException("maxSubjects must be between 1 and 1000000, was " + maxSubjects);
        }
        if (maxVersionsPerSubject < 1 || maxVersionsPerSubject > 100_000) {
            throw new IllegalArgumentException("maxVersionsPerSubject must be between 1 and 100000, was "
                    + maxVersionsPerSubject);
        }
        if (maxSchemaBytes < 64 || maxSchemaBytes > MAX_SCHEMA_BYTES) {
            throw new IllegalArgumentException("maxSchemaBytes must be between 64 and " + MAX_SCHEMA_BYTES
                    + ", was " + maxSchemaBytes);
        }
    }

    /** 10,000 subjects, 1,000 versions each, 1 MiB a schema (Confluent Cloud's default schema size). */
    public static RegistryLimits defaults() {
        return new RegistryLimits(10_000, 1_000, 1 << 20);
    }

    /**
     * The request body the HTTP server must accept for a schema of {@link #maxSchemaBytes}: JSON
     * escaping of quotes in the {@code schema} string roughly doubles it, plus room for the rest.
     */
    public int maxRequestBytes() {
        return (int) Math.min(Integer.MAX_VALUE, 2L * maxSchemaBytes + 64 * 1024);
    }
}
