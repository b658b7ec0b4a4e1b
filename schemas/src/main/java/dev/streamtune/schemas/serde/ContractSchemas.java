package dev.streamtune.schemas.serde;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * Every contract subject of Streamtune, which record each carries, and how the platform registers them: what
 * Confluent's quick starts do (the platform registers the schemas; users' producers run with
 * {@code auto.register.schemas=false} and only look their schema up). {@code streamtune up} registers every
 * subject at start, each {@code streamtune serve} service the subjects it reads or writes.
 *
 * <p>{@code examples.dlq} has no subject: a dead letter is the rejected record's bytes as they came (an
 * example, a candidate, or bytes that were never Avro), with the reason in its headers.
 *
 * <p>Each contract is also published as one self-contained {@code .avsc} ({@link Contract#selfContainedJson()},
 * committed under {@code schemas/contracts/}): Avro's JSON rendering inlines every named type at its first use, so
 * a client in another language loads it with no other file.
 */
public final class ContractSchemas {

    /** The records that travel on Streamtune's topics; the types they refer to (Split, Signature, ...) are inlined. */
    public enum Contract {
        LABELLED_EXAMPLE(LabelledExample.getClassSchema()),
        TASK_SPEC(TaskSpec.getClassSchema()),
        FEATURE_VECTOR(FeatureVector.getClassSchema()),
        MODEL_VERSION(ModelVersion.getClassSchema()),
        MODEL_UPDATE(ModelUpdate.getClassSchema()),
        METRICS_EVENT(MetricsEvent.getClassSchema());

        private final Schema schema;

        Contract(Schema schema) {
            this.schema = schema;
        }

        public Schema schema() {
            return schema;
        }

        /** {@code LabelledExample.avsc}: the record's simple name. */
        public String fileName() {
            return schema.getName() + ".avsc";
        }

        /** The schema as one JSON document, every named type inlined, pretty-printed, ending in a newline. */
        public String selfContainedJson() {
            return schema.toString(true) + "\n";
        }
    }

    /** A registry subject ({@code <topic>-value}) and the contract it carries. */
    public record Subject(String topic, String name, Contract contract) {
        public Subject {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(contract, "contract");
        }

        static Subject ofTopic(String topic, Contract contract) {
            return new Subject(topic, AvroSerializer.subject(topic, false), contract);
        }
    }

    /** What registering one subject found: its schema's global id, and whether this call added it. */
    public record Registered(Subject subject, int id, boolean added) {}

    private ContractSchemas() {}

    /** Every contract subject of {@code topics}, with one features subject per backbone id. */
    public static List<Subject> subjects(Topics topics, List<String> backboneIds) {
        List<Subject> out = new ArrayList<>();
        out.add(Subject.ofTopic(topics.raw(), Contract.LABELLED_EXAMPLE));
        for (String split : topics.splits()) {
            out.add(Subject.ofTopic(split, Contract.LABELLED_EXAMPLE));
        }
        out.add(Subject.ofTopic(topics.tasks(), Contract.TASK_SPEC));
        for (String backbone : backboneIds) {
            out.add(Subject.ofTopic(topics.features(backbone), Contract.FEATURE_VECTOR));
        }
        out.add(Subject.ofTopic(topics.candidates(), Contract.MODEL_VERSION));
        out.add(Subject.ofTopic(topics.updates(), Contract.MODEL_UPDATE));
        out.add(Subject.ofTopic(topics.metrics(), Contract.METRICS_EVENT));
        return List.copyOf(out);
    }

    /** The subjects of {@link #subjects} whose topic is one of {@code topicNames} (topics without a contract are skipped). */
    public static List<Subject> subjectsOf(Topics topics, List<String> backboneIds, Collection<String> topicNames) {
        return subjects(topics, backboneIds).stream().filter(s -> topicNames.contains(s.topic())).toList();
    }

    /**
     * Makes sure each subject holds its contract: a lookup first (reads need no registry credentials, so a restart
     * writes nothing), then a registration where the lookup finds none. Idempotent; a registry that holds an
     * incompatible schema under a subject keeps it (nothing is deleted or forced), and the error names the subject.
     */
    public static List<Registered> register(SchemaRegistryClient registry, List<Subject> subjects) {
        List<Registered> out = new ArrayList<>();
        for (Subject s : subjects) {
            Schema schema = s.contract().schema();
            try {
                out.add(new Registered(s, registry.getId(s.name(), schema), false));
                continue;
            } catch (RegistryException e) {
                if (e.httpStatus() != 404) {
                    throw failure(s, e);
                }
            }
            try {
                out.add(new Registered(s, registry.register(s.name(), schema), true));
            } catch (RegistryException e) {
                throw failure(s, e);
            }
        }
        return List.copyOf(out);
    }

    private static RegistryException failure(Subject s, RegistryException e) {
        String hint = switch (e.httpStatus()) {
            case 401, 403 -> " (registering needs the registry's write credentials: http://user:password@host:port)";
            case 409 -> " (the subject holds a schema this contract is not compatible with; nothing was changed)";
            default -> "";
        };
        return new RegistryException(e.httpStatus(), e.errorCode(), "cannot register " + s.contract().schema().getName()
                + " under subject '" + s.name() + "': " + e.getMessage() + hint);
    }

    /** Writes every contract's self-contained {@code .avsc} into {@code directory} (created if missing); returns the files. */
    public static List<Path> export(Path directory) {
        try {
            Files.createDirectories(directory);
            List<Path> written = new ArrayList<>();
            for (Contract c : Contract.values()) {
                Path file = directory.resolve(c.fileName());
                Files.writeString(file, c.selfContainedJson(), StandardCharsets.UTF_8);
                written.add(file);
            }
            return List.copyOf(written);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the contract schemas to " + directory + ": " + e.getMessage(), e);
        }
    }
}
