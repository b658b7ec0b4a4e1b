package dev.streamtune.ingest;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.schemas.serde.WireFormat;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes the raw bytes of examples.raw and, when they are not a LabelledExample in the Confluent
 * wire format, says why with a reason code. A registry that cannot be reached is not the record's
 * fault: that failure is thrown, so the stream thread retries instead of dead-lettering good data.
 */
final class RawExampleDecoder {
    /** What decoding gave: an example, or a reason it is not one. */
    sealed interface Decoded permits Example, Undecodable {}

    record Example(LabelledExample example) implements Decoded {}

    record Undecodable(RejectReason reason, String message) implements Decoded {}

    private final Deserializer<LabelledExample> deserializer;

    RawExampleDecoder(Deserializer<LabelledExample> deserializer) {
        this.deserializer = deserializer;
    }

    Decoded decode(String topic, byte[] value) {
        if (value == null) {
            return new Undecodable(RejectReason.NULL_VALUE, "value is null (a tombstone); a LabelledExample was expected");
        }
        // the header is checked here too, so the reason code never depends on an exception's wording
        if (value.length < WireFormat.HEADER_SIZE) {
            return new Undecodable(RejectReason.TRUNCATED, "record of " + value.length + " bytes is shorter than the "
                    + WireFormat.HEADER_SIZE + "-byte Confluent header (magic byte + schema id)");
        }
        if (value[0] != WireFormat.MAGIC_BYTE) {
            return new Undecodable(RejectReason.BAD_MAGIC_BYTE, String.format(
                    "magic byte is 0x%02x; the Confluent wire format needs 0x00", value[0] & 0xff));
        }
        try {
            LabelledExample example = deserializer.deserialize(topic, value);
            return new Example(example);
        } catch (SerializationException e) {
            if (RegistryFailures.isTransient(e)) {
                throw e; // the registry is down or failing: retry, do not dead-letter
            }
            if (RegistryFailures.registryCause(e) != null) {
                return new Undecodable(RejectReason.UNKNOWN_SCHEMA_ID, e.getMessage());
            }
            return new Undecodable(RejectReason.UNDECODABLE, e.getMessage());
        }
    }
}
