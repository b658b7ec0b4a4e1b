package dev.streamtune.schemas.serde;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry API a serializer needs. Implementations cache, so a
 * hot serializer talks to the registry once per schema, not once per record.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /** The id of {@code schema} under {@code subject}, without registering it. */
    int getId(String subject, Schema schema);

    /** The schema with global id {@code id}. */
    Schema getById(int id);

    /** The newest version registered under {@code subject}. */
    RegisteredSchema getLatest(String subject);

    @Override
    default void close() {}

    /** A schema as registered: its subject, global id and version under that subject. */
    record RegisteredSchema(String subject, int id, int version, Schema schema) {}
}
