package dev.streamtune.registry;

import dev.streamtune.schemas.serde.RegistryException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON keys and values of the schemas topic, in Confluent Schema Registry's own layout:
 * {@code {"keytype":"SCHEMA","subject":..,"version":..,"magic":1}} with value
 * {@code {"subject":..,"version":..,"id":..,"schema":..,"deleted":false}}, and
 * {@code {"keytype":"CONFIG","subject":..,"magic":0}} with value {@code {"compatibilityLevel":..}}.
 * Keys are written with a fixed field order, so compaction keeps the last record per key.
 */
final class SchemasTopicCodec {

    private final ObjectMapper json = new ObjectMapper();

    /** An encoded record: the key and value bytes of one topic record. */
    record Encoded(byte[] key, byte[] value) {
    }

    Encoded encode(RegistryRecord record) {
        try {
            if (record instanceof RegistryRecord.SchemaRegistered registered) {
                RegisteredSchema schema = registered.schema();
                Map<String, Object> key = new LinkedHashMap<>();
                key.put("keytype", "SCHEMA");
                key.put("subject", schema.subject());
                key.put("version", schema.version());
                key.put("magic", 1);
                Map<String, Object> value = new LinkedHashMap<>();
                value.put("subject", schema.subject());
                value.put("version", schema.version());
                value.put("id", schema.id());
                value.put("schema", schema.schema());
                value.put("deleted", false);
                return new Encoded(json.writeValueAsBytes(key), json.writeValueAsBytes(value));
            }
            RegistryRecord.CompatibilityChanged changed = (RegistryRecord.CompatibilityChanged) record;
            Map<String, Object> key = new LinkedHashMap<>();
            key.put("keytype", "CONFIG");
            key.put("subject", changed.subject().orElse(null));
            key.put("magic", 0);
            Map<String, Object> value = Map.of("compatibilityLevel", changed.level().name());
            return new Encoded(json.writeValueAsBytes(key), json.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot encode " + record, e);
        }
    }

    /**
     * The registry record a topic record holds; empty for records this registry does not act on
     * (tombstones, deleted versions, non-Avro schemas, Confluent's NOOP and other key types).
     *
     * @throws IllegalArgumentException for a key or value that is not the expected JSON
     */
    Optional<RegistryRecord> decode(byte[] keyBytes, byte[] valueBytes) {
        if (keyBytes == null || valueBytes == null) {
            return Optional.empty();
        }
        try {
            JsonNode key = json.readTree(keyBytes);
            JsonNode value = json.readTree(valueBytes);
            String keyType = key.path("keytype").asText("");
            switch (keyType) {
                case "SCHEMA":
                    // a topic shared with Confluent's registry may hold versions this registry cannot serve
                    String schemaType = value.path("schemaType").asText(SchemaRegistry.AVRO);
                    if (value.path("deleted").asBoolean(false) || !SchemaRegistry.AVRO.equalsIgnoreCase(schemaType)) {
                        return Optional.empty();
                    }
                    return Optional.of(new RegistryRecord.SchemaRegistered(new RegisteredSchema(
                            required(value, "subject").asText(), required(value, "version").asInt(),
                            required(value, "id").asInt(), required(value, "schema").asText())));
                case "CONFIG":
                    JsonNode subject = key.get("subject");
                    return Optional.of(new RegistryRecord.CompatibilityChanged(
                            subject == null || subject.isNull() ? Optional.empty() : Optional.of(subject.asText()),
                            CompatibilityLevel.parse(required(value, "compatibilityLevel").asText())));
                default:
                    return Optional.empty();
            }
        } catch (IOException | RegistryException e) {
            throw new IllegalArgumentException("Not a schemas-topic record: " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("Schemas-topic value lacks '" + field + "': " + node);
        }
        return value;
    }
}
