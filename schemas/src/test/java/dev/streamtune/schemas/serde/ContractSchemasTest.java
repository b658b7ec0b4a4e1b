package dev.streamtune.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.ContractSchemas.Contract;
import dev.streamtune.schemas.serde.ContractSchemas.Registered;
import dev.streamtune.schemas.serde.ContractSchemas.Subject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published {@code schemas/contracts/*.avsc} are what the Avro classes say, each loads alone, and the
 * contract subjects register once. To refresh the files after changing a schema:
 * {@code mvn -o -q -pl schemas test -Dtest=ContractSchemasTest -Dcontracts.update=true}
 * (or {@code ./streamtune schemas export schemas/contracts}).
 */
class ContractSchemasTest {
    /** Surefire runs in the module directory. */
    static final Path COMMITTED = Path.of("contracts");

    @BeforeAll
    static void refreshWhenAsked() {
        if (Boolean.getBoolean("contracts.update")) {
            ContractSchemas.export(COMMITTED);
        }
    }

    @Test
    void theCommittedAvscFilesAreExactlyWhatTheSchemaClassesProduce() throws IOException {
        for (Contract c : Contract.values()) {
            Path file = COMMITTED.resolve(c.fileName());
            assertThat(file).as("published contract " + file + " (refresh with -Dcontracts.update=true)").exists();
            assertThat(Files.readString(file, StandardCharsets.UTF_8))
                    .as(file + " differs from " + c.schema().getFullName() + "; refresh with -Dcontracts.update=true")
                    .isEqualTo(c.selfContainedJson());
        }
        try (Stream<Path> files = Files.list(COMMITTED)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no stale file in " + COMMITTED)
                    .containsExactlyInAnyOrder(Stream.of(Contract.values()).map(Contract::fileName).toArray(String[]::new));
        }
    }

    @Test
    void eachPublishedFileLoadsAloneWithEveryNamedTypeInlined() throws IOException {
        for (Contract c : Contract.values()) {
            // a fresh parser knows no other type: the file must carry Split, Signature, OffsetRange, ModelVersion itself
            Schema loaded = new Schema.Parser().parse(Files.readString(COMMITTED.resolve(c.fileName())));
            assertThat(loaded).as(c.fileName()).isEqualTo(c.schema());
        }
        Schema example = new Schema.Parser().parse(Files.readString(COMMITTED.resolve("LabelledExample.avsc")));
        Schema split = example.getField("split").schema().getTypes().stream()
                .filter(t -> t.getType() == Schema.Type.ENUM).findFirst().orElseThrow();
        assertThat(split.getFullName()).isEqualTo("dev.streamtune.avro.Split");
        assertThat(split.getEnumSymbols()).contains("TRAIN", "VALIDATION", "TEST");
    }

    @Test
    void everyTopicThatCarriesARecordHasItsSubject() {
        List<Subject> subjects = ContractSchemas.subjects(Topics.defaults(), List.of("all-minilm-l6-v2"));
        assertThat(subjects).extracting(Subject::name).containsExactly(
                "examples.raw-value", "examples.train-value", "examples.validation-value", "examples.test-value",
                "tasks-value", "features.all-minilm-l6-v2-value", "models.candidates-value", "models.updates-value",
                "metrics-value");
        assertThat(subjects).filteredOn(s -> s.name().equals("models.updates-value"))
                .extracting(Subject::contract).containsExactly(Contract.MODEL_UPDATE);
        assertThat(ContractSchemas.subjectsOf(Topics.withPrefix("staging."), List.of(),
                List.of("staging.models.updates", "staging.examples.dlq", "staging.metrics")))
                .extracting(Subject::name).containsExactly("staging.models.updates-value", "staging.metrics-value");
    }

    @Test
    void registeringIsIdempotentAndAUserProducerWithoutAutoRegisterThenFindsItsSchema() {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        List<Subject> subjects = ContractSchemas.subjects(Topics.defaults(), List.of("all-minilm-l6-v2"));

        List<Registered> first = ContractSchemas.register(registry, subjects);
        List<Registered> again = ContractSchemas.register(registry, subjects);

        assertThat(first).allMatch(Registered::added);
        assertThat(again).noneMatch(Registered::added);
        assertThat(again).extracting(Registered::id).isEqualTo(first.stream().map(Registered::id).toList());
        assertThat(registry.getLatest("examples.raw-value").version()).isEqualTo(1);

        AvroSerdeConfig noAutoRegister = AvroSerdeConfig.fromMap(java.util.Map.of(
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, "mock://unused", AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false"));
        try (AvroSerializer<dev.streamtune.avro.LabelledExample> producer = new AvroSerializer<>(registry, noAutoRegister, false)) {
            byte[] bytes = producer.serialize("examples.raw", SampleRecords.example());
            assertThat(WireFormat.schemaId("examples.raw", bytes)).isEqualTo(first.get(0).id());
            // a topic without a registered contract is refused rather than registered behind the platform's back
            assertThatThrownBy(() -> producer.serialize("elsewhere", SampleRecords.example()))
                    .hasMessageContaining("elsewhere-value");
        }
    }

    @Test
    void aRegistryThatRefusesNamesTheSubjectAndWhy() {
        SchemaRegistryClient incompatible = new SchemaRegistryClient() {
            @Override
            public int register(String subject, Schema schema) {
                throw new RegistryException(409, RegistryException.INCOMPATIBLE, "Schema being registered is incompatible");
            }

            @Override
            public int getId(String subject, Schema schema) {
                throw new RegistryException(404, RegistryException.SCHEMA_NOT_FOUND, "Schema not found");
            }

            @Override
            public Schema getById(int id) {
                throw new UnsupportedOperationException();
            }

            @Override
            public RegisteredSchema getLatest(String subject) {
                throw new UnsupportedOperationException();
            }
        };
        assertThatThrownBy(() -> ContractSchemas.register(incompatible,
                ContractSchemas.subjects(Topics.defaults(), List.of())))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("LabelledExample under subject 'examples.raw-value'")
                .hasMessageContaining("nothing was changed");
    }

    @Test
    void exportWritesOneFilePerContract(@TempDir Path dir) throws IOException {
        List<Path> files = ContractSchemas.export(dir.resolve("out"));
        assertThat(files).hasSize(Contract.values().length);
        assertThat(Files.readString(dir.resolve("out/ModelUpdate.avsc"))).contains("\"name\" : \"ModelVersion\"");
    }
}
