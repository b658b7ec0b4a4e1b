package dev.streamtune.schemas.serde;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the Confluent wire format. Every failure, whatever the bytes, is a
 * {@link SerializationException} whose message says what was wrong: the record is shorter than
 * the header, the magic byte is unknown, the schema id is unknown, or the payload does not decode.
 *
 * <p>With a target class (or {@code specific.avro.reader=true}), records are decoded into the
 * generated class, resolving the writer's schema against the class's schema; otherwise into
 * {@code GenericRecord}s of the writer's schema.
 */
public class AvroDeserializer<T> implements Deserializer<T> {
    private SchemaRegistryClient registry;
    private AvroSerdeConfig config;
    private Schema readerSchema;
    private final Map<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();

    /** For Kafka's reflective construction; {@link #configure} must follow. */
    public AvroDeserializer() {}

    /** Decodes into {@code targetType}'s generated class, or generic records when it is null. */
    public AvroDeserializer(SchemaRegistryClient registry, AvroSerdeConfig config, Class<T> targetType) {
        this.registry = registry;
        this.config = config;
        this.readerSchema = targetType == null ? null : SpecificData.get().getSchema(targetType);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.config = AvroSerdeConfig.fromMap(configs);
        this.registry = SchemaRegistryClients.create(config);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroDeserializer used before configure()");
        }
        int id = WireFormat.schemaId(topic, bytes);
        DatumReader<Object> reader = readers.get(id);
        if (reader == null) {
            reader = newReader(topic, id);
            readers.put(id, reader);
        }
        BoundedBinaryDecoder decoder = new BoundedBinaryDecoder(bytes, WireFormat.HEADER_SIZE,
                bytes.length - WireFormat.HEADER_SIZE);
        Object value;
        try {
            value = reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("payload of " + (bytes.length - WireFormat.HEADER_SIZE)
                    + " bytes on topic '" + topic + "' does not decode with schema id " + id + ": "
                    + describe(e), e);
        }
        if (decoder.remaining() != 0) {
            throw new SerializationException("payload on topic '" + topic + "' does not decode with schema id "
                    + id + ": " + decoder.remaining() + " bytes left over after the record");
        }
        return (T) value;
    }

    private DatumReader<Object> newReader(String topic, int id) {
        Schema writer;
        try {
            writer = registry.getById(id);
        } catch (RegistryException e) {
            if (e.errorCode() == RegistryException.SCHEMA_NOT_FOUND || e.httpStatus() == 404) {
                throw new SerializationException("unknown schema id " + id + " on topic '" + topic
                        + "': the registry has no such schema", e);
            }
            throw new SerializationException("cannot fetch schema id " + id + " for topic '" + topic + "': "
                    + e.getMessage(), e);
        }
        Schema reader = readerSchema;
        if (reader == null && config.specificReader()) {
            Class<?> generated = SpecificData.get().getClass(writer);
            if (generated == null) {
                throw new SerializationException("specific.avro.reader is set but no generated class exists for "
                        + writer.getFullName() + " (schema id " + id + ")");
            }
            reader = SpecificData.get().getSchema(generated);
        }
        if (reader == null) {
            return new GenericDatumReader<>(writer);
        }
        return new SpecificDatumReader<>(writer, reader);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
    }

    @Override
    public void close() {
        if (registry != null) {
            registry.close();
        }
    }
}
