package dev.streamtune.schemas.serde;

import java.time.Duration;
import java.util.Map;

/**
 * Serializer and deserializer settings, under Confluent's own config keys so that a Kafka client
 * configured for Confluent's {@code KafkaAvroSerializer} works unchanged with ours (and back).
 *
 * @param registryUrl          {@code schema.registry.url}: http(s) URL(s), comma separated, or
 *                             {@code mock://scope} for an in-process registry in unit tests
 * @param autoRegisterSchemas  {@code auto.register.schemas} (default true)
 * @param useLatestVersion     {@code use.latest.version}: write with the subject's latest schema
 *                             instead of the record's own (default false)
 * @param specificReader       {@code specific.avro.reader}: decode into generated classes
 *                             (default false, as in Confluent's deserializer)
 * @param latestCacheTtl       {@code latest.cache.ttl.sec}: how long a looked-up latest version is reused
 */
public record AvroSerdeConfig(
        String registryUrl,
        boolean autoRegisterSchemas,
        boolean useLatestVersion,
        boolean specificReader,
        Duration latestCacheTtl) {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";

    public AvroSerdeConfig {
        if (registryUrl == null || registryUrl.isBlank()) {
            throw new IllegalArgumentException(SCHEMA_REGISTRY_URL
                    + " is required (e.g. http://localhost:8081, or mock://name in unit tests)");
        }
        if (latestCacheTtl == null || latestCacheTtl.isNegative()) {
            throw new IllegalArgumentException(LATEST_CACHE_TTL_SEC + " must be >= 0");
        }
    }

    public static AvroSerdeConfig of(String registryUrl) {
        return new AvroSerdeConfig(registryUrl, true, false, false, Duration.ofSeconds(60));
    }

    /** Reads Kafka-style configs; unknown keys are ignored (they belong to the client). */
    public static AvroSerdeConfig fromMap(Map<String, ?> configs) {
        Object url = configs.get(SCHEMA_REGISTRY_URL);
        return new AvroSerdeConfig(
                url == null ? null : url.toString(),
                bool(configs, AUTO_REGISTER_SCHEMAS, true),
                bool(configs, USE_LATEST_VERSION, false),
                bool(configs, SPECIFIC_AVRO_READER, false),
                Duration.ofSeconds(longValue(configs, LATEST_CACHE_TTL_SEC, 60)));
    }

    public Map<String, Object> toMap() {
        return Map.of(SCHEMA_REGISTRY_URL, registryUrl,
                AUTO_REGISTER_SCHEMAS, autoRegisterSchemas,
                USE_LATEST_VERSION, useLatestVersion,
                SPECIFIC_AVRO_READER, specificReader,
                LATEST_CACHE_TTL_SEC, latestCacheTtl.toSeconds());
    }

    public AvroSerdeConfig withSpecificReader(boolean specific) {
        return new AvroSerdeConfig(registryUrl, autoRegisterSchemas, useLatestVersion, specific, latestCacheTtl);
    }

    private static boolean bool(Map<String, ?> configs, String key, boolean dflt) {
        Object v = configs.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException(key + " must be true or false, got '" + s + "'");
    }

    private static long longValue(Map<String, ?> configs, String key, long dflt) {
        Object v = configs.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "'");
        }
    }
}
