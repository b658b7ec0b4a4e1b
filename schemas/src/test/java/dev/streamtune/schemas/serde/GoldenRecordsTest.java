package dev.streamtune.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.testkit.GoldenFiles;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One record of every contract as a producer put it on the wire (magic byte 0, schema id 1, Avro
 * binary), with the writer schema it was written with, both committed under {@code golden/}. Today's
 * deserializer must read them into today's generated classes: a schema change that breaks what
 * producers already wrote fails here. Rewrite deliberately with {@code -Dstreamtune.golden.write=true}.
 */
class GoldenRecordsTest {
    private static final AvroSerdeConfig CONFIG = AvroSerdeConfig.of("mock://golden");

    static Stream<SpecificRecord> contracts() {
        return SampleRecords.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contracts")
    void whatAProducerWroteIsReadByTodaysDeserializer(SpecificRecord expected) {
        String name = expected.getSchema().getName();
        String topic = "golden." + name;
        byte[] schemaJson = GoldenFiles.load("avro-" + name + "-v1.avsc",
                () -> expected.getSchema().toString(true).getBytes(StandardCharsets.UTF_8));
        // a fresh registry per record, so every fixture carries schema id 1
        byte[] wire = GoldenFiles.load("avro-" + name + "-v1.bin",
                () -> new AvroSerializer<SpecificRecord>(new InMemorySchemaRegistryClient(), CONFIG, false)
                        .serialize(topic, expected));

        Schema writer = new Schema.Parser().parse(new String(schemaJson, StandardCharsets.UTF_8));
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        int id = registry.register(topic + "-value", writer);
        assertThat(wire[0]).as("magic byte").isEqualTo((byte) 0);
        assertThat(ByteBuffer.wrap(wire, 1, 4).getInt()).as("schema id in the frame").isEqualTo(id).isEqualTo(1);

        @SuppressWarnings("unchecked")
        Class<SpecificRecord> type = (Class<SpecificRecord>) expected.getClass();
        SpecificRecord read = new AvroDeserializer<>(registry, CONFIG, type).deserialize(topic, wire);

        // field by field over the writer's fields: a field added later (with its default) does not break this
        for (Schema.Field field : writer.getFields()) {
            Schema.Field current = read.getSchema().getField(field.name());
            assertThat(current).as("%s.%s is still in today's schema", name, field.name()).isNotNull();
            assertThat(read.get(current.pos())).as("%s.%s", name, field.name())
                    .isEqualTo(expected.get(expected.getSchema().getField(field.name()).pos()));
        }
        assertThat(writer.getFields()).as("%s fields in the fixture", name).isNotEmpty();
    }
}
