package dev.streamtune.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.Delta;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.InMemorySchemaRegistryClient;
import dev.streamtune.schemas.serde.RegistryException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

class PoisonRecordsTest {
    private static final String TASK = "spam";
    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final AvroSerdeConfig serde = AvroSerdeConfig.of("mock://poison-records-test");
    private final AvroDeserializer<TaskSpec> specs = new AvroDeserializer<>(registry, serde, TaskSpec.class);
    private final AvroDeserializer<ModelVersion> versions = new AvroDeserializer<>(registry, serde, ModelVersion.class);
    private final AvroDeserializer<ModelUpdate> updates = new AvroDeserializer<>(registry, serde, ModelUpdate.class);
    private final PoisonRecords poison = new PoisonRecords(TASK);

    private byte[] bytes(org.apache.avro.specific.SpecificRecord value, String topic) {
        return new AvroSerializer<>(registry, serde, false).serialize(topic, value);
    }

    private static ConsumerRecord<byte[], byte[]> record(String topic, long offset, byte[] value) {
        return new ConsumerRecord<>(topic, 0, offset, TASK.getBytes(StandardCharsets.UTF_8), value);
    }

    private static TaskSpec spec(String task, List<String> labels) {
        return TaskSpec.newBuilder().setTask(task).setLabels(labels).build();
    }

    private static ModelVersion version(String task, long number) {
        return ModelVersion.newBuilder().setTask(task).setVersion(number).setTechnique("head")
                .setBase(new BaseModel("all-MiniLM-L6-v2", "sha")).setLabels(List.of("ham", "spam"))
                .setDelta(Delta.newBuilder().setSha256("d").setSizeBytes(0).build())
                .setCreatedAt(Instant.EPOCH).build();
    }

    @Test
    void aGoodDeclarationIsReturnedAndNothingIsCounted() {
        TaskSpec good = spec(TASK, List.of("ham", "spam"));
        assertThat(poison.taskSpec(record("tasks", 0, bytes(good, "tasks")), specs)).isEqualTo(good);
        assertThat(poison.skipped()).isZero();
    }

    @Test
    void undecodableAndNonsenseDeclarationsAreSkippedAndEachCountedOnce() {
        ConsumerRecord<byte[], byte[]> garbage = record("tasks", 3, new byte[] {0, 0, 0, 0, 42, 1, 2, 3});
        ConsumerRecord<byte[], byte[]> truncated = record("tasks", 4, new byte[] {1, 2});
        ConsumerRecord<byte[], byte[]> otherTask = record("tasks", 5, bytes(spec("ham-filter", List.of("a", "b")), "tasks"));
        ConsumerRecord<byte[], byte[]> repeated = record("tasks", 6, bytes(spec(TASK, List.of("ham", "ham")), "tasks"));
        ConsumerRecord<byte[], byte[]> blank = record("tasks", 7, bytes(spec(TASK, List.of("ham", " ")), "tasks"));
        for (int read = 0; read < 3; read++) {
            // the trainer reads the tasks topic again every half second while it waits: nothing is counted twice
            assertThat(poison.taskSpec(garbage, specs)).isNull();
            assertThat(poison.taskSpec(truncated, specs)).isNull();
            assertThat(poison.taskSpec(otherTask, specs)).isNull();
            assertThat(poison.taskSpec(repeated, specs)).isNull();
            assertThat(poison.taskSpec(blank, specs)).isNull();
        }
        assertThat(poison.skipped()).isEqualTo(5);
        assertThat(poison.taskSpec(record("tasks", 8, new byte[] {9}), specs)).isNull();
        assertThat(poison.skipped()).as("a new record is counted").isEqualTo(6);
    }

    @Test
    void versionsOutsideOneToTwoToTheFiftyThirdAreSkipped() {
        String topic = "models.candidates";
        assertThat(poison.version(record(topic, 0, bytes(version(TASK, Long.MAX_VALUE - 1), topic)), versions, TASK))
                .isNull();
        assertThat(poison.version(record(topic, 1, bytes(version(TASK, 0), topic)), versions, TASK)).isNull();
        assertThat(poison.version(record(topic, 2, bytes(version(TASK, -5), topic)), versions, TASK)).isNull();
        assertThat(poison.version(record(topic, 3, bytes(version("other", 7), topic)), versions, TASK)).isNull();
        assertThat(poison.version(record(topic, 4, null), versions, TASK)).as("a tombstone").isNull();
        assertThat(poison.version(record(topic, 5, new byte[] {0, 1}), versions, TASK)).isNull();
        assertThat(poison.skipped()).isEqualTo(6);
        ModelVersion top = version(TASK, PoisonRecords.MAX_VERSION);
        assertThat(poison.version(record(topic, 6, bytes(top, topic)), versions, TASK)).isEqualTo(top);
        assertThat(poison.skipped()).isEqualTo(6);
    }

    @Test
    void anUpdateMustNameAUsableVersionOfItsTask() {
        String topic = "models.updates";
        ModelUpdate good = ModelUpdate.newBuilder().setTask(TASK).setAction(UpdateAction.PROMOTE).setVersion(3)
                .setReason("r").setModel(version(TASK, 3)).setTimestamp(Instant.EPOCH).build();
        assertThat(poison.update(record(topic, 0, bytes(good, topic)), updates, TASK)).isEqualTo(good);
        ModelUpdate forged = ModelUpdate.newBuilder(good).setModel(version(TASK, Long.MAX_VALUE)).build();
        assertThat(poison.update(record(topic, 1, bytes(forged, topic)), updates, TASK)).isNull();
        ModelUpdate otherTask = ModelUpdate.newBuilder(good).setModel(version("other", 3)).build();
        assertThat(poison.update(record(topic, 2, bytes(otherTask, topic)), updates, TASK)).isNull();
        assertThat(poison.skipped()).isEqualTo(2);
    }

    @Test
    void theNextVersionIsRefusedPastTheBoundInsteadOfOverflowing() {
        assertThat(PoisonRecords.nextVersion(0)).isEqualTo(1);
        assertThat(PoisonRecords.nextVersion(PoisonRecords.MAX_VERSION - 1)).isEqualTo(PoisonRecords.MAX_VERSION);
        assertThatThrownBy(() -> PoisonRecords.nextVersion(PoisonRecords.MAX_VERSION))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("limit of 9007199254740992 (2^53)");
        assertThatThrownBy(() -> PoisonRecords.nextVersion(Long.MAX_VALUE)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRegistryOutageIsNoFaultOfTheRecordAndIsThrown() {
        Deserializer<TaskSpec> down = (topic, data) -> {
            throw new SerializationException("cannot fetch schema id 1", new RegistryException("connection refused", null));
        };
        Deserializer<TaskSpec> missing = (topic, data) -> {
            throw new SerializationException("unknown schema id 1",
                    new RegistryException(404, RegistryException.SCHEMA_NOT_FOUND, "Schema not found"));
        };
        assertThatThrownBy(() -> poison.taskSpec(record("tasks", 0, new byte[] {0, 0, 0, 0, 1}), down))
                .isInstanceOf(SerializationException.class).hasMessageContaining("cannot fetch");
        assertThat(poison.skipped()).isZero();
        assertThat(poison.taskSpec(record("tasks", 1, new byte[] {0, 0, 0, 0, 1}), missing)).isNull();
        assertThat(poison.skipped()).as("an unknown schema id is the record's own fault").isEqualTo(1);
    }
}
