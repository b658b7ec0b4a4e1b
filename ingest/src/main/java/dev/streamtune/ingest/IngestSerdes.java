package dev.streamtune.ingest;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.schemas.serde.AvroSerde;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import java.util.Objects;

/** The Avro serdes ingest reads and writes with, sharing one registry client. */
public record IngestSerdes(AvroSerde<LabelledExample> examples, AvroSerde<TaskSpec> tasks) {

    public IngestSerdes {
        Objects.requireNonNull(examples, "examples");
        Objects.requireNonNull(tasks, "tasks");
    }

    public static IngestSerdes create(SchemaRegistryClient registry, AvroSerdeConfig config) {
        return new IngestSerdes(AvroSerde.forValues(LabelledExample.class, registry, config),
                AvroSerde.forValues(TaskSpec.class, registry, config));
    }

    /** With the registry client the config's {@code schema.registry.url} names. */
    public static IngestSerdes create(AvroSerdeConfig config) {
        return create(SchemaRegistryClients.create(config), config);
    }
}
