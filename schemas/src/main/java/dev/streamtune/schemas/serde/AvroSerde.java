package dev.streamtune.schemas.serde;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A Kafka Streams serde for one generated Avro class, in the Confluent wire format. */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;

    private AvroSerde(AvroSerializer<T> serializer, AvroDeserializer<T> deserializer) {
        this.serializer = serializer;
        this.deserializer = deserializer;
    }

    /** A value serde for {@code type}, sharing {@code registry}. */
    public static <T extends SpecificRecord> AvroSerde<T> forValues(Class<T> type, SchemaRegistryClient registry,
                                                                  AvroSerdeConfig config) {
        return new AvroSerde<>(new AvroSerializer<>(registry, config, false),
                new AvroDeserializer<>(registry, config, type));
    }

    /** A value serde for {@code type}, with a registry client made from {@code config}. */
    public static <T extends SpecificRecord> AvroSerde<T> forValues(Class<T> type, AvroSerdeConfig config) {
        return forValues(type, SchemaRegistryClients.create(config), config);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // built complete by the factories; Kafka's configure call has nothing to add
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
