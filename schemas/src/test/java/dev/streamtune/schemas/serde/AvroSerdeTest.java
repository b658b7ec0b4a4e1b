package dev.streamtune.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.avro.LabelledExample;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private InMemorySchemaRegistryClient registry;
    private AvroSerdeConfig config;

    @BeforeEach
    void setUp() {
        registry = new InMemorySchemaRegistryClient();
        config = AvroSerdeConfig.of("mock://serde-test");
    }

    @Test
    void everyContractRoundTripsInTheConfluentWireFormat() {
        for (SpecificRecord record : SampleRecords.all()) {
            String topic = "t." + record.getSchema().getName();
            AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(registry, config, false);
            @SuppressWarnings("unchecked")
            AvroDeserializer<SpecificRecord> deserializer =
                    new AvroDeserializer<>(registry, config, (Class<SpecificRecord>) record.getClass());

            byte[] bytes = serializer.serialize(topic, record);

            int id = registry.getLatest(topic + "-value").id();
            assertThat(bytes[0]).as("magic byte").isEqualTo((byte) 0);
            assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).as("schema id").isEqualTo(id);
            assertThat(deserializer.deserialize(topic, bytes)).as(record.getSchema().getName()).isEqualTo(record);
        }
    }

    @Test
    void sameSchemaGetsTheSameIdUnderAnySubjectAndKeysUseTheKeySubject() {
        AvroSerializer<SpecificRecord> values = new AvroSerializer<>(registry, config, false);
        AvroSerializer<SpecificRecord> keys = new AvroSerializer<>(registry, config, true);
        byte[] a = values.serialize("a", SampleRecords.example());
        byte[] b = keys.serialize("b", SampleRecords.example());
        assertThat(Arrays.copyOf(a, 5)).isEqualTo(Arrays.copyOf(b, 5));
        assertThat(registry.getLatest("b-key").id()).isEqualTo(registry.getLatest("a-value").id());
        assertThatThrownBy(() -> registry.getLatest("b-value")).isInstanceOf(RegistryException.class);
    }

    @Test
    void genericRecordsDecodeWithTheWriterSchemaWhenNoTypeIsGiven() {
        byte[] bytes = new AvroSerializer<>(registry, config, false).serialize("raw", SampleRecords.example());
        AvroDeserializer<GenericRecord> generic = new AvroDeserializer<>(registry, config, null);
        GenericRecord record = generic.deserialize("raw", bytes);
        assertThat(record.get("id").toString()).isEqualTo("easy_ham-00001");
        assertThat(record.get("label").toString()).isEqualTo("ham");
    }

    @Test
    void aProducerWithAnOlderSchemaIsReadIntoTheCurrentClass() {
        // a producer that only knows id, task, text and label (no weight, split, metadata ...)
        Schema old = SchemaBuilder.record("LabelledExample").namespace("dev.streamtune.avro").fields()
                .optionalString("id").optionalString("task").optionalString("text").optionalString("label")
                .endRecord();
        GenericRecord record = new GenericData.Record(old);
        record.put("id", "x1");
        record.put("task", "spam");
        record.put("text", "hello");
        record.put("label", "ham");
        byte[] bytes = new AvroSerializer<GenericRecord>(registry, config, false).serialize("raw", record);

        LabelledExample read = new AvroDeserializer<>(registry, config, LabelledExample.class).deserialize("raw", bytes);

        assertThat(read.getId()).isEqualTo("x1");
        assertThat(read.getWeight()).isNull();
        assertThat(read.getMetadata()).isEmpty();
    }

    @Test
    void withoutAutoRegisterAnUnregisteredSchemaIsAClearError() {
        AvroSerdeConfig noRegister = new AvroSerdeConfig("mock://x", false, false, false, config.latestCacheTtl());
        AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(registry, noRegister, false);
        assertThatThrownBy(() -> serializer.serialize("raw", SampleRecords.example()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("raw-value");
        registry.register("raw-value", LabelledExample.getClassSchema());
        assertThat(serializer.serialize("raw", SampleRecords.example())).startsWith(0);
    }

    @Test
    void useLatestVersionWritesWithTheSubjectsLatestSchema() {
        Schema latest = SchemaBuilder.record("LabelledExample").namespace("dev.streamtune.avro").fields()
                .optionalString("id").optionalString("task").optionalString("text").optionalString("label")
                .endRecord();
        int latestId = registry.register("raw-value", latest);
        AvroSerdeConfig useLatest = new AvroSerdeConfig("mock://x", false, true, false, config.latestCacheTtl());

        byte[] bytes = new AvroSerializer<SpecificRecord>(registry, useLatest, false)
                .serialize("raw", SampleRecords.example());

        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(latestId);
        GenericRecord read = new AvroDeserializer<GenericRecord>(registry, config, null).deserialize("raw", bytes);
        assertThat(read.getSchema().getFields()).hasSize(4);
        assertThat(read.get("text").toString()).startsWith("Subject: lunch?");
    }

    @Test
    void badBytesGiveSerializationExceptionsThatSayWhatWasWrong() {
        AvroDeserializer<LabelledExample> d = new AvroDeserializer<>(registry, config, LabelledExample.class);
        byte[] good = new AvroSerializer<SpecificRecord>(registry, config, false).serialize("raw", SampleRecords.example());

        assertThatThrownBy(() -> d.deserialize("raw", new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("shorter than the 5-byte");
        byte[] badMagic = good.clone();
        badMagic[0] = 7;
        assertThatThrownBy(() -> d.deserialize("raw", badMagic))
                .isInstanceOf(SerializationException.class).hasMessageContaining("unknown magic byte 0x07");
        byte[] unknownId = good.clone();
        ByteBuffer.wrap(unknownId).put(1, (byte) 0x7f);
        assertThatThrownBy(() -> d.deserialize("raw", unknownId))
                .isInstanceOf(SerializationException.class).hasMessageContaining("unknown schema id");
        byte[] truncated = Arrays.copyOf(good, good.length - 10);
        assertThatThrownBy(() -> d.deserialize("raw", truncated))
                .isInstanceOf(SerializationException.class).hasMessageContaining("does not decode");
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        assertThatThrownBy(() -> d.deserialize("raw", trailing))
                .isInstanceOf(SerializationException.class).hasMessageContaining("3 bytes left over");
    }

    @Test
    void aHugeLengthPrefixIsRefusedBeforeAllocating() {
        int id = registry.register("raw-value", LabelledExample.getClassSchema());
        // union branch 1 (string) for id, then a string length of about 2^40
        byte[] bytes = ByteBuffer.allocate(5 + 1 + 6).put((byte) 0).putInt(id).put((byte) 2)
                .put(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x40}).array();
        AvroDeserializer<LabelledExample> d = new AvroDeserializer<>(registry, config, LabelledExample.class);
        assertThatThrownBy(() -> d.deserialize("raw", bytes))
                .isInstanceOf(SerializationException.class).hasMessageContaining("cannot fit");
    }

    @Test
    void configUsesConfluentKeysAndNamesTheBadOne() {
        AvroSerdeConfig c = AvroSerdeConfig.fromMap(Map.of("schema.registry.url", "http://r:8081",
                "auto.register.schemas", "false", "use.latest.version", true, "specific.avro.reader", "true"));
        assertThat(c.autoRegisterSchemas()).isFalse();
        assertThat(c.useLatestVersion()).isTrue();
        assertThat(c.specificReader()).isTrue();
        assertThatThrownBy(() -> AvroSerdeConfig.fromMap(Map.of()))
                .hasMessageContaining("schema.registry.url is required");
        assertThatThrownBy(() -> AvroSerdeConfig.fromMap(Map.of("schema.registry.url", "http://r", "auto.register.schemas", "yes")))
                .hasMessageContaining("auto.register.schemas must be true or false");
    }

    @Test
    void kafkaStyleConfigurationWithAMockUrlSharesTheScope() {
        SchemaRegistryClients.dropMockScope("mock://kafka-style");
        Map<String, Object> props = Map.of("schema.registry.url", "mock://kafka-style", "specific.avro.reader", true);
        AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>();
        serializer.configure(props, false);
        AvroDeserializer<Object> deserializer = new AvroDeserializer<>();
        deserializer.configure(props, false);
        Object read = deserializer.deserialize("raw", serializer.serialize("raw", SampleRecords.example()));
        assertThat(read).isInstanceOf(LabelledExample.class).isEqualTo(SampleRecords.example());
    }
}
