package dev.streamtune.ingest;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.schemas.Topics;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The ingest topology, as a pure function of its config:
 *
 * <pre>
 * examples.raw (bytes) ─► gate: decode · validate ─┬─► examples.dlq (original bytes + reason headers)
 *                                                  ├─► [by task+id] ─────────────────────────────┬─► dedupe · split ─► examples.train / .validation / .test
 *                                                  └─► [by task] ─► task registry: validate ─┬───┘
 *                                                                   again on the exact task  ├─► tasks
 *                                                                                            └─► examples.dlq
 * tasks ─► global task table (read by the gate and the registry)
 * </pre>
 *
 * Examples are repartitioned by (task, id) before dedupe so that the same example always meets its
 * own dedupe state, whatever key the producer chose. An example that would create its task or add
 * a label to it goes by task to the registry, which owns each task's updates: it grants the label
 * (publishing the task first) or rejects the example, e.g. when the task already has as many
 * labels as {@link IngestLimits#maxLabelsPerTask} allows. The gates alone could not hold that
 * limit: each sees the task table as of a moment ago. Such an example reaches dedupe one hop later
 * than the examples of known labels, which is the price of knowing its label set exactly.
 */
public final class IngestTopology {
    /** The global view of the tasks topic. */
    public static final String TASKS_STORE = "tasks-global-store";
    /** Per (task, id): fingerprint of the last text and label seen, with when it was seen. */
    public static final String DEDUPE_STORE = "dedupe-store";
    /** Per task: the spec this application last published. */
    public static final String TASK_REGISTRY_STORE = "task-registry-store";
    static final String EXAMPLES_REPARTITION = "examples-by-task-and-id";
    /** Raw records of examples that need the registry's decision, by task. */
    static final String LABEL_REQUESTS_REPARTITION = "task-label-requests";
    /** Examples the registry accepted, by (task, id), into the same dedupe as the rest. */
    static final String REGISTERED_EXAMPLES_REPARTITION = "registered-examples-by-task-and-id";

    private IngestTopology() {}

    public static Topology build(IngestConfig config, IngestSerdes serdes, IngestMetrics metrics) {
        Topics topics = config.topics();
        StreamsBuilder builder = new StreamsBuilder();

        // a global store must not have a changelog: the tasks topic itself is its log
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TASKS_STORE), Serdes.String(), serdes.tasks())
                        .withLoggingDisabled(),
                topics.tasks(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("tasks-source"),
                () -> new TaskTableUpdater(serdes.tasks().deserializer(), metrics));
        boolean rocksDb = config.stateStores() == StateStoreKind.ROCKSDB;
        builder.addStateStore(Stores.timestampedKeyValueStoreBuilder(rocksDb
                        ? Stores.persistentTimestampedKeyValueStore(DEDUPE_STORE)
                        : Stores.inMemoryKeyValueStore(DEDUPE_STORE),
                Serdes.String(), Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(rocksDb
                        ? Stores.persistentKeyValueStore(TASK_REGISTRY_STORE)
                        : Stores.inMemoryKeyValueStore(TASK_REGISTRY_STORE),
                Serdes.String(), serdes.tasks()));

        RawExampleDecoder decoder = new RawExampleDecoder(serdes.examples().deserializer());
        ExampleValidator validator = new ExampleValidator(config.limits(), config.unknownTaskPolicy(), topics.tasks());
        SplitAssigner splits = new SplitAssigner(config.splitRatios());

        // raw bytes in, so that what does not decode can still be dead-lettered byte for byte
        Map<String, KStream<String, GateOutcome>> gate = builder
                .stream(topics.raw(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("raw-source"))
                .process(() -> new GateProcessor(decoder, validator, metrics, config.serviceName()), Named.as("gate"))
                .split(Named.as("gate-"))
                .branch((key, outcome) -> outcome instanceof GateOutcome.DeadLetter, Branched.as("dlq"))
                .branch((key, outcome) -> outcome instanceof GateOutcome.Passed, Branched.as("passed"))
                .branch((key, outcome) -> outcome instanceof GateOutcome.LabelRequest, Branched.as("request"))
                .noDefaultBranch();
        Map<String, KStream<String, GateOutcome>> registry = gate.get("gate-request")
                .mapValues(outcome -> ((GateOutcome.LabelRequest) outcome).value(), Named.as("label-request-bytes"))
                .repartition(Repartitioned.with(Serdes.String(), Serdes.ByteArray()).withName(LABEL_REQUESTS_REPARTITION))
                .process(() -> new TaskRegistryProcessor(decoder, validator, metrics, config.serviceName()),
                        Named.as("task-registry"), TASK_REGISTRY_STORE)
                .split(Named.as("registry-"))
                .branch((key, outcome) -> outcome instanceof GateOutcome.DeadLetter, Branched.as("dlq"))
                .branch((key, outcome) -> outcome instanceof GateOutcome.Passed, Branched.as("passed"))
                .branch((key, outcome) -> outcome instanceof GateOutcome.TaskUpdate, Branched.as("task"))
                .noDefaultBranch();

        deadLetters(gate.get("gate-dlq"), topics, "gate-");
        deadLetters(registry.get("registry-dlq"), topics, "registry-");
        registry.get("registry-task")
                .mapValues(outcome -> ((GateOutcome.TaskUpdate) outcome).spec(), Named.as("task-update-spec"))
                .to(topics.tasks(), Produced.with(Serdes.String(), serdes.tasks()).withName("tasks-sink"));
        // two repartition topics of the same key and partition count, merged after them: merging before
        // would fuse the gate's and the registry's sub-topologies into one that feeds itself
        KStream<String, LabelledExample> direct = passedExamples(gate.get("gate-passed"), "passed-example")
                .repartition(Repartitioned.with(Serdes.String(), serdes.examples()).withName(EXAMPLES_REPARTITION));
        KStream<String, LabelledExample> registered = passedExamples(registry.get("registry-passed"), "registered-example")
                .repartition(Repartitioned.with(Serdes.String(), serdes.examples()).withName(REGISTERED_EXAMPLES_REPARTITION));
        routeExamples(direct.merge(registered, Named.as("examples-by-task-and-id")), config, serdes, splits, metrics);
        return builder.build();
    }

    private static KStream<String, LabelledExample> passedExamples(KStream<String, GateOutcome> passed, String name) {
        return passed.mapValues(outcome -> ((GateOutcome.Passed) outcome).example(), Named.as(name));
    }

    private static void deadLetters(KStream<String, GateOutcome> dead, Topics topics, String prefix) {
        dead.map((key, outcome) -> {
            GateOutcome.DeadLetter letter = (GateOutcome.DeadLetter) outcome;
            return KeyValue.pair(letter.key(), letter.value());
        }, Named.as(prefix + "dead-letter-bytes"))
                .to(topics.dlq(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(prefix + "dlq-sink"));
    }

    private static void routeExamples(KStream<String, LabelledExample> examples, IngestConfig config, IngestSerdes serdes,
                                      SplitAssigner splits, IngestMetrics metrics) {
        Topics topics = config.topics();
        examples
                .process(() -> new DedupeSplitProcessor(splits, metrics, config.dedupeRetention()),
                        Named.as("dedupe-split"), DEDUPE_STORE)
                .split(Named.as("split-"))
                .branch((id, example) -> example.getSplit() == Split.TRAIN,
                        Branched.withConsumer(s -> s.to(topics.train(), Produced.with(Serdes.String(), serdes.examples()).withName("train-sink")), "train"))
                .branch((id, example) -> example.getSplit() == Split.VALIDATION,
                        Branched.withConsumer(s -> s.to(topics.validation(), Produced.with(Serdes.String(), serdes.examples()).withName("validation-sink")), "validation"))
                .branch((id, example) -> example.getSplit() == Split.TEST,
                        Branched.withConsumer(s -> s.to(topics.test(), Produced.with(Serdes.String(), serdes.examples()).withName("test-sink")), "test"))
                .noDefaultBranch();
    }
}
