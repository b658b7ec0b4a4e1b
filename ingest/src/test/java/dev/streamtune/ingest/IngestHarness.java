package dev.streamtune.ingest;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.schemas.DeadLetterHeaders;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The ingest topology in a TopologyTestDriver, with its serdes on a fresh {@code mock://} registry
 * and the wall clock fixed at {@link #NOW}. Raw inputs go in as bytes, so tests can send
 * well-formed Avro (through {@link #send}) or anything at all (through {@link #sendBytes}).
 */
final class IngestHarness implements AutoCloseable {
    static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

    final IngestConfig config;
    final IngestMetrics metrics = new IngestMetrics();
    final SchemaRegistryClient registry;
    final AvroSerializer<LabelledExample> exampleWriter;
    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> raw;
    final TestInputTopic<String, TaskSpec> tasksIn;
    final TestOutputTopic<String, LabelledExample> train;
    final TestOutputTopic<String, LabelledExample> validation;
    final TestOutputTopic<String, LabelledExample> test;
    final TestOutputTopic<byte[], byte[]> dlq;
    final TestOutputTopic<String, TaskSpec> tasksOut;
    private final String registryUrl;
    private final Path stateDir;
    private final boolean ownsState;

    /** In-memory stores: TopologyTestDriver commits after every record, and RocksDB flushes on each commit. */
    IngestHarness() {
        this(c -> c);
    }

    IngestHarness(UnaryOperator<IngestConfig> customize) {
        this(customize, "mock://ingest-" + UUID.randomUUID(), newStateDir(), true);
    }

    /** An instance on a given registry scope and state directory, both left in place on close (restart tests). */
    IngestHarness(UnaryOperator<IngestConfig> customize, String registryUrl, Path stateDir, boolean ownsState) {
        this.registryUrl = registryUrl;
        this.stateDir = stateDir;
        this.ownsState = ownsState;
        config = customize.apply(IngestConfig.defaults("unused:9092", registryUrl).withStateStores(StateStoreKind.IN_MEMORY));
        registry = SchemaRegistryClients.create(config.registry());
        IngestSerdes serdes = IngestSerdes.create(registry, config.registry());
        exampleWriter = new AvroSerializer<>(registry, config.registry(), false);
        Properties props = config.streamsProperties(metrics);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(IngestTopology.build(config, serdes, metrics), props, NOW);
        Topics topics = config.topics();
        var bytes = Serdes.ByteArray();
        var strings = Serdes.String();
        raw = driver.createInputTopic(topics.raw(), bytes.serializer(), bytes.serializer());
        tasksIn = driver.createInputTopic(topics.tasks(), strings.serializer(), serdes.tasks().serializer());
        train = driver.createOutputTopic(topics.train(), strings.deserializer(), serdes.examples().deserializer());
        validation = driver.createOutputTopic(topics.validation(), strings.deserializer(), serdes.examples().deserializer());
        test = driver.createOutputTopic(topics.test(), strings.deserializer(), serdes.examples().deserializer());
        dlq = driver.createOutputTopic(topics.dlq(), bytes.deserializer(), bytes.deserializer());
        tasksOut = driver.createOutputTopic(topics.tasks(), strings.deserializer(), serdes.tasks().deserializer());
    }

    static LabelledExample.Builder example(String id) {
        return LabelledExample.newBuilder().setId(id).setTask("spam").setText("Cheap watches, buy now")
                .setLabel("spam").setMetadata(Map.of());
    }

    static TaskSpec closedSpam() {
        return TaskSpec.newBuilder().setTask("spam").setLabels(List.of("ham", "spam")).setLabelSetClosed(true).build();
    }

    void declare(TaskSpec spec) {
        tasksIn.pipeInput(spec.getTask(), spec, NOW.minusSeconds(3600));
    }

    byte[] encode(LabelledExample example) {
        return exampleWriter.serialize(config.topics().raw(), example);
    }

    /** Sends the example as a producer would (key = id), returning the bytes sent. */
    byte[] send(LabelledExample example) {
        return send(example, NOW);
    }

    byte[] send(LabelledExample example, Instant timestamp) {
        byte[] value = encode(example);
        sendBytes(key(example.getId()), value, new RecordHeaders(), timestamp);
        return value;
    }

    void sendBytes(byte[] key, byte[] value, Headers headers, Instant timestamp) {
        raw.pipeInput(new TestRecord<>(key, value, headers, timestamp));
    }

    static byte[] key(String id) {
        return id == null ? null : id.getBytes(StandardCharsets.UTF_8);
    }

    /** Everything written to the three split topics so far, drained. */
    List<TestRecord<String, LabelledExample>> drainSplits() {
        List<TestRecord<String, LabelledExample>> out = new ArrayList<>();
        out.addAll(train.readRecordsToList());
        out.addAll(validation.readRecordsToList());
        out.addAll(test.readRecordsToList());
        return out;
    }

    static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static String reason(TestRecord<byte[], byte[]> dead) {
        return header(dead.headers(), DeadLetterHeaders.REASON);
    }

    static Path newStateDir() {
        try {
            Files.createDirectories(Path.of("target"));
            return Files.createTempDirectory(Path.of("target"), "streams-state-");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        driver.close();
        if (!ownsState) {
            return;
        }
        SchemaRegistryClients.dropMockScope(registryUrl);
        deleteRecursively(stateDir);
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
