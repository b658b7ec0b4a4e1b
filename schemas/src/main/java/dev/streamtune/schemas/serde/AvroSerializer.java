package dev.streamtune.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (generated or generic) in the Confluent wire format, registering or looking
 * up the schema under the subject {@code <topic>-value} (or {@code -key}).
 */
public class AvroSerializer<T extends GenericContainer> implements Serializer<T> {
    private SchemaRegistryClient registry;
    private AvroSerdeConfig config;
    private boolean isKey;
    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    private final Map<String, Latest> latestBySubject = new ConcurrentHashMap<>();

    /** For Kafka's reflective construction; {@link #configure} must follow. */
    public AvroSerializer() {}

    public AvroSerializer(SchemaRegistryClient registry, AvroSerdeConfig config, boolean isKey) {
        this.registry = registry;
        this.config = config;
        this.isKey = isKey;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.config = AvroSerdeConfig.fromMap(configs);
        this.registry = SchemaRegistryClients.create(config);
        this.isKey = isKey;
    }

    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroSerializer used before configure()");
        }
        String subject = subject(topic, isKey);
        Schema schema = data.getSchema();
        int id;
        try {
            if (config.useLatestVersion()) {
                Latest latest = latest(subject);
                schema = latest.schema();
                id = latest.id();
            } else if (config.autoRegisterSchemas()) {
                id = registry.register(subject, schema);
            } else {
                id = registry.getId(subject, schema);
            }
        } catch (RegistryException e) {
            throw new SerializationException("cannot get a schema id for subject '" + subject + "' ("
                    + schema.getFullName() + "): " + e.getMessage(), e);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_SIZE);
            WireFormat.writeHeader(header, id);
            out.write(header.array());
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer(schema, data).write(data, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + schema.getFullName() + " for topic '" + topic
                    + "': " + e.getMessage(), e);
        }
    }

    private DatumWriter<Object> writer(Schema schema, T data) {
        return writers.computeIfAbsent(schema, s -> data instanceof SpecificRecord
                ? new SpecificDatumWriter<>(s)
                : new GenericDatumWriter<>(s));
    }

    private Latest latest(String subject) {
        Latest cached = latestBySubject.get(subject);
        long now = System.nanoTime();
        if (cached != null && now - cached.fetchedAtNanos() < config.latestCacheTtl().toNanos()) {
            return cached;
        }
        SchemaRegistryClient.RegisteredSchema r = registry.getLatest(subject);
        Latest fresh = new Latest(r.id(), r.schema(), now);
        latestBySubject.put(subject, fresh);
        return fresh;
    }

    @Override
    public void close() {
        if (registry != null) {
            registry.close();
        }
    }

    private record Latest(int id, Schema schema, long fetchedAtNanos) {}
}
