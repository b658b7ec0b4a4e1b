package dev.streamtune.ingest;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.schemas.Topics;
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
 *                                                  ├─► [by task+id] ─► dedupe · split ─► examples.train / .validation / .test
 *                                                  └─► [by task] ─► task registry ─► tasks
 * tasks ─► global task table (read by the gate and the registry)
 * </pre>
 *
 * Examples are repartitioned by (task, id) before dedupe so that the same example always meets its
 * own dedupe state, whatever key the producer chose. Label proposals are repartitioned by task so
 * that one processor owns each task's updates.
 */
public final class IngestTopology {
    /** The global view of the tasks topic. */
    public static final String TASKS_STORE = "tasks-global-store";
    /** Per (task, id): fingerprint of the last text and label seen, with when it was seen. */
    public static final String DEDUPE_STORE = "dedupe-store";
    /** Per task: the spec this application last published. */
    public static final String TASK_REGISTRY_STORE = "task-registry-store";
    static final String EXAMPLES_REPARTITION = "examples-by-task-and-id";
    static final String PROPOSALS_REPARTITION = "task-label-proposals";

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
        KStream<String, GateOutcome> gated = builder
                .stream(topics.raw(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("raw-source"))
                .process(() -> new GateProcessor(decoder, validator, metrics, config.serviceName()), Named.as("gate"));

        gated.split(Named.as("gate-"))
                .branch((key, outcome) -> outcome instanceof GateOutcome.DeadLetter, Branched.withConsumer(dead -> dead
                        .map((key, outcome) -> {
                            GateOutcome.DeadLetter letter = (GateOutcome.DeadLetter) outcome;
                            return KeyValue.pair(letter.key(), letter.value());
                        }, Named.as("dead-letter-bytes"))
                        .to(topics.dlq(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("dlq-sink")),
                        "dlq"))
                .branch((key, outcome) -> outcome instanceof GateOutcome.Passed, Branched.withConsumer(passed -> routeExamples(
                        passed.mapValues(outcome -> ((GateOutcome.Passed) outcome).example(), Named.as("passed-example")),
                        config, serdes, splits, metrics), "passed"))
                .branch((key, outcome) -> outcome instanceof GateOutcome.LabelProposal, Branched.withConsumer(proposals -> proposals
                        .mapValues(outcome -> ((GateOutcome.LabelProposal) outcome).proposal(), Named.as("proposal-spec"))
                        .repartition(Repartitioned.with(Serdes.String(), serdes.tasks()).withName(PROPOSALS_REPARTITION))
                        .process(() -> new TaskRegistryProcessor(metrics), Named.as("task-registry"), TASK_REGISTRY_STORE)
                        .to(topics.tasks(), Produced.with(Serdes.String(), serdes.tasks()).withName("tasks-sink")),
                        "proposal"))
                .noDefaultBranch();
        return builder.build();
    }

    private static void routeExamples(KStream<String, LabelledExample> examples, IngestConfig config, IngestSerdes serdes,
                                      SplitAssigner splits, IngestMetrics metrics) {
        Topics topics = config.topics();
        examples
                .repartition(Repartitioned.with(Serdes.String(), serdes.examples()).withName(EXAMPLES_REPARTITION))
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
