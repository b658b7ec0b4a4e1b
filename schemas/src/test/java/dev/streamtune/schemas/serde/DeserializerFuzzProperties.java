package dev.streamtune.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.ModelUpdate;
import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/** Whatever bytes arrive, the only failure is a SerializationException with a message. */
class DeserializerFuzzProperties {
    private static final InMemorySchemaRegistryClient REGISTRY = new InMemorySchemaRegistryClient();
    private static final AvroSerdeConfig CONFIG = AvroSerdeConfig.of("mock://fuzz");
    private static final List<byte[]> SEEDS = List.of(
            new AvroSerializer<SpecificRecord>(REGISTRY, CONFIG, false).serialize("raw", SampleRecords.example()),
            new AvroSerializer<SpecificRecord>(REGISTRY, CONFIG, false).serialize("updates", SampleRecords.update()));

    @Property(tries = 3000)
    void randomBytes(@ForAll("anyBytes") byte[] bytes) {
        assertOnlySerializationException(bytes);
    }

    @Property(tries = 3000)
    void mutatedValidRecords(@ForAll("mutations") byte[] bytes) {
        assertOnlySerializationException(bytes);
    }

    private static void assertOnlySerializationException(byte[] bytes) {
        for (Class<? extends SpecificRecord> type : List.of(LabelledExample.class, ModelUpdate.class)) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            AvroDeserializer<Object> d = new AvroDeserializer(REGISTRY, CONFIG, type);
            try {
                d.deserialize("fuzz", bytes);
            } catch (SerializationException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        // a valid header in front makes the payload decoder work, not just the header check
        Arbitrary<byte[]> framed = net.jqwik.api.Combinators.combine(Arbitraries.integers().between(1, 3), raw)
                .as((id, payload) -> ByteBuffer.allocate(5 + payload.length).put((byte) 0).putInt(id).put(payload).array());
        return Arbitraries.oneOf(raw, framed);
    }

    @Provide
    Arbitrary<byte[]> mutations() {
        return Arbitraries.of(SEEDS).flatMap(seed -> Arbitraries.oneOf(
                // flip bytes in place
                Arbitraries.integers().between(5, seed.length - 1).list().ofMinSize(1).ofMaxSize(4)
                        .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
                            byte[] copy = seed.clone();
                            for (int i = 0; i < positions.size(); i++) {
                                copy[positions.get(i)] = values.get(i);
                            }
                            return copy;
                        })),
                // truncate
                Arbitraries.integers().between(0, seed.length - 1).map(n -> java.util.Arrays.copyOf(seed, n))));
    }
}
