package dev.streamtune.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class SchemasTopicCodecTest {

    private final SchemasTopicCodec codec = new SchemasTopicCodec();

    @Test
    void schemaRecordsUseConfluentsLayoutAndRoundTrip() {
        RegistryRecord record = new RegistryRecord.SchemaRegistered(new RegisteredSchema("users-value", 3, 7, "\"string\""));
        SchemasTopicCodec.Encoded encoded = codec.encode(record);
        assertThat(new String(encoded.key(), StandardCharsets.UTF_8))
                .isEqualTo("{\"keytype\":\"SCHEMA\",\"subject\":\"users-value\",\"version\":3,\"magic\":1}");
        assertThat(new String(encoded.value(), StandardCharsets.UTF_8))
                .isEqualTo("{\"subject\":\"users-value\",\"version\":3,\"id\":7,\"schema\":\"\\\"string\\\"\",\"deleted\":false}");
        assertThat(codec.decode(encoded.key(), encoded.value())).contains(record);
    }

    @Test
    void configRecordsRoundTripForSubjectAndGlobal() {
        RegistryRecord global = new RegistryRecord.CompatibilityChanged(Optional.empty(), CompatibilityLevel.FULL);
        RegistryRecord subject = new RegistryRecord.CompatibilityChanged(Optional.of("s"), CompatibilityLevel.NONE);
        assertThat(new String(codec.encode(global).key(), StandardCharsets.UTF_8))
                .isEqualTo("{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}");
        assertThat(codec.decode(codec.encode(global).key(), codec.encode(global).value())).contains(global);
        assertThat(codec.decode(codec.encode(subject).key(), codec.encode(subject).value())).contains(subject);
    }

    @Test
    void ignoresTombstonesDeletedVersionsAndOtherKeyTypes() {
        byte[] key = "{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":1,\"magic\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(codec.decode(key, null)).isEmpty();
        assertThat(codec.decode(key, "{\"subject\":\"s\",\"version\":1,\"id\":1,\"schema\":\"\\\"int\\\"\",\"deleted\":true}"
                .getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(codec.decode(key, "{\"subject\":\"s\",\"version\":1,\"id\":1,\"schema\":\"syntax\",\"schemaType\":\"PROTOBUF\"}"
                .getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(codec.decode("{\"keytype\":\"NOOP\",\"magic\":0}".getBytes(StandardCharsets.UTF_8),
                "{}".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void rejectsRecordsThatAreNotRegistryJson() {
        assertThatThrownBy(() -> codec.decode("garbage".getBytes(StandardCharsets.UTF_8), "x".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.decode(
                "{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":1,\"magic\":1}".getBytes(StandardCharsets.UTF_8),
                "{\"subject\":\"s\",\"version\":1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
    }
}
