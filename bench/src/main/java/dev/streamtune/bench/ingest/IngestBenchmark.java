package dev.streamtune.bench.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.datasets.LoadOptions;
import dev.streamtune.datasets.SpamAssassin;
import dev.streamtune.ingest.IngestApp;
import dev.streamtune.ingest.IngestConfig;
import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import dev.streamtune.schemas.topics.TopicDeclaration;
import dev.streamtune.schemas.topics.TopicProvisioner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Ingest throughput (decode, validate, dedupe, split, with exactly-once) on the embedded broker and
 * our registry: a corpus is produced to {@code examples.raw} first, then ingest starts and the clock
 * runs until every record has come out on a split topic or the DLQ (read_committed).
 *
 * <pre>
 * IngestBenchmark [--corpus FILE.jsonl[.gz]] [--copies N] [--partitions N] [--threads N]
 *     [--commit-interval-ms N] [--json FILE]
 * </pre>
 * Without {@code --corpus} it runs the bundled SpamAssassin corpus (6,046 emails). A corpus file has
 * one JSON object a line with {@code id}, {@code label} and {@code text}. {@code --copies N} sends
 * the corpus N times under new ids, for a longer measurement.
 */
public final class IngestBenchmark {
    private static final String TASK = "bench";

    private IngestBenchmark() {
    }

    /** One corpus record as the benchmark sends it. */
    public record Example(String id, String label, String text) {}

    /**
     * @param copies           how many times the corpus is sent (ids suffixed {@code #k} after the first)
     * @param partitions       partitions of the raw and split topics
     * @param streamThreads    Kafka Streams threads
     * @param commitInterval   Kafka Streams commit interval (each commit ends a transaction)
     * @param progressInterval how often a progress line is printed
     */
    public record Config(int copies, int partitions, int streamThreads, Duration commitInterval, Duration progressInterval) {
        public Config {
            if (copies < 1 || copies > 1000) {
                throw new IllegalArgumentException("copies must be between 1 and 1000, was " + copies);
            }
            if (partitions < 1 || partitions > 64) {
                throw new IllegalArgumentException("partitions must be between 1 and 64, was " + partitions);
            }
            if (streamThreads < 1 || streamThreads > 64) {
                throw new IllegalArgumentException("threads must be between 1 and 64, was " + streamThreads);
            }
            if (commitInterval == null || commitInterval.toMillis() < 1 || commitInterval.toMillis() > 60_000) {
                throw new IllegalArgumentException("commit-interval-ms must be between 1 and 60000, was " + commitInterval);
            }
            if (progressInterval == null || progressInterval.toMillis() < 100) {
                throw new IllegalArgumentException("progress interval must be at least 100 ms, was " + progressInterval);
            }
        }

        public static Config defaults() {
            return new Config(1, 3, 1, Duration.ofMillis(100), Duration.ofSeconds(2));
        }
    }

    /**
     * @param recordsPerS          records out per second, from the first output record to the last
     *                             (steady state: Kafka Streams start-up and rebalance excluded)
     * @param recordsPerSWithStart records per second from {@code KafkaStreams.start()} to the last output
     * @param producePerS          how fast the benchmark itself wrote the raw records (serialize + send)
     */
    public record Result(int records, int copies, int partitions, int streamThreads, long commitIntervalMs,
                         double seconds, double secondsWithStart, double recordsPerS, double recordsPerSWithStart,
                         double producePerS, Map<String, Integer> perTopic) {

        public Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("records", records);
            json.put("copies", copies);
            json.put("partitions", partitions);
            json.put("stream_threads", streamThreads);
            json.put("commit_interval_ms", commitIntervalMs);
            json.put("ingest_records_per_s", recordsPerS);
            json.put("ingest_records_per_s_with_startup", recordsPerSWithStart);
            json.put("seconds", seconds);
            json.put("seconds_with_startup", secondsWithStart);
            json.put("produce_records_per_s", producePerS);
            json.put("per_topic", perTopic);
            return json;
        }
    }

    public static void main(String[] args) throws Exception {
        Config config = Config.defaults();
        Path corpus = null;
        Path json = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--corpus" -> corpus = Path.of(value);
                    case "--copies" -> config = new Config(integer(flag, value), config.partitions(), config.streamThreads(),
                            config.commitInterval(), config.progressInterval());
                    case "--partitions" -> config = new Config(config.copies(), integer(flag, value), config.streamThreads(),
                            config.commitInterval(), config.progressInterval());
                    case "--threads" -> config = new Config(config.copies(), config.partitions(), integer(flag, value),
                            config.commitInterval(), config.progressInterval());
                    case "--commit-interval-ms" -> config = new Config(config.copies(), config.partitions(), config.streamThreads(),
                            Duration.ofMillis(integer(flag, value)), config.progressInterval());
                    case "--json" -> json = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown argument '" + flag + "'");
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: IngestBenchmark [--corpus FILE.jsonl[.gz]] [--copies N] [--partitions N] [--threads N] "
                    + "[--commit-interval-ms N] [--json FILE]");
            System.exit(2);
            return;
        }
        List<Example> examples = corpus == null ? spamAssassin() : readCorpus(corpus);
        Result result = run(config, examples, System.out);
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), result.toJson());
            System.out.println("wrote " + json);
        }
        System.exit(0); // the embedded broker's threads must not hold the JVM
    }

    /** The bundled SpamAssassin corpus, texts cut at ingest's default 20,000 characters. */
    public static List<Example> spamAssassin() {
        return SpamAssassin.load(LoadOptions.truncatedTo(20_000)).examples().stream()
                .map(e -> new Example(e.id(), e.label(), e.text())).toList();
    }

    /** A JSONL file (gzipped if it ends in .gz) of {@code id}, {@code label}, {@code text}. */
    public static List<Example> readCorpus(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<Example> out = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int lineNumber = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = mapper.readTree(line);
                out.add(new Example(field(node, "id", file, lineNumber), field(node, "label", file, lineNumber),
                        field(node, "text", file, lineNumber)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no records");
        }
        return out;
    }

    /** Starts an ephemeral platform, sends the corpus, runs ingest over it and measures. */
    public static Result run(Config config, List<Example> examples, PrintStream out) throws Exception {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("examples must not be empty");
        }
        int total = examples.size() * config.copies();
        out.printf(Locale.ROOT, "ingest benchmark: %d records (%d x %d copies), %d partitions, %d stream threads, commit every %d ms%n",
                total, examples.size(), config.copies(), config.partitions(), config.streamThreads(),
                config.commitInterval().toMillis());
        try (StreamtunePlatform platform = StreamtunePlatform.start(PlatformConfig.ephemeral())) {
            Topics topics = Topics.defaults();
            TopicProvisioner.create(platform.bootstrapServers(), KafkaClientProperties.none(),
                    new TopicDeclaration(topics, config.partitions()).specs(List.of(topics.raw(), topics.train(),
                            topics.validation(), topics.test(), topics.dlq(), topics.tasks())));
            IngestConfig ingest = IngestConfig.defaults(platform.bootstrapServers(), platform.registryUrl())
                    .withApplicationId("ingest-benchmark")
                    .withStreamsOverrides(Map.of(
                            StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("ingest-bench").toString(),
                            StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(config.commitInterval().toMillis()),
                            StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(config.streamThreads())));
            double producePerS = produce(platform, topics, ingest, examples, config.copies(), out);

            Map<String, Integer> perTopic = new TreeMap<>();
            long started = System.nanoTime();
            long firstOut = -1;
            long lastOut = -1;
            int seen = 0;
            try (IngestApp app = new IngestApp(ingest);
                 KafkaConsumer<byte[], byte[]> consumer = outputReader(platform.bootstrapServers())) {
                app.start();
                consumer.subscribe(List.of(topics.train(), topics.validation(), topics.test(), topics.dlq()));
                long nextProgress = System.nanoTime() + config.progressInterval().toNanos();
                long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
                // exact repeats are dropped, not output: the corpus has unique ids so there are none
                while (seen < total) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("ingest output only " + seen + " of " + total + " records in 30 minutes");
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime();
                        if (firstOut < 0) {
                            firstOut = now;
                        }
                        lastOut = now;
                        seen++;
                        perTopic.merge(r.topic(), 1, Integer::sum);
                    }
                    if (System.nanoTime() >= nextProgress) {
                        double s = (System.nanoTime() - started) / 1e9;
                        double rate = firstOut < 0 ? 0 : seen / Math.max(1e-9, (System.nanoTime() - firstOut) / 1e9);
                        out.printf(Locale.ROOT, "  %6.1f s: %d/%d records out (%.0f%%), %.0f records/s, ETA %s%n", s, seen, total,
                                100.0 * seen / total, rate, rate <= 0 ? "unknown" : String.format(Locale.ROOT, "%.0f s", (total - seen) / rate));
                        nextProgress = System.nanoTime() + config.progressInterval().toNanos();
                    }
                }
                out.printf(Locale.ROOT, "  ingest metrics: %s%n", app.metrics().snapshot());
            }
            double seconds = Math.max(1e-9, (lastOut - firstOut) / 1e9);
            double withStart = (lastOut - started) / 1e9;
            Result result = new Result(total, config.copies(), config.partitions(), config.streamThreads(),
                    config.commitInterval().toMillis(), seconds, withStart, total / seconds, total / withStart, producePerS, perTopic);
            out.printf(Locale.ROOT, "ingest: %.0f records/s (%d records in %.2f s from first to last output), "
                            + "%.0f records/s with start-up (%.2f s); produce %.0f records/s; per topic %s%n",
                    result.recordsPerS(), total, seconds, result.recordsPerSWithStart(), withStart, producePerS, perTopic);
            return result;
        }
    }

    private static double produce(StreamtunePlatform platform, Topics topics, IngestConfig ingest, List<Example> examples,
                                  int copies, PrintStream out) throws Exception {
        SchemaRegistryClient registry = SchemaRegistryClients.create(ingest.registry());
        AvroSerializer<LabelledExample> serializer = new AvroSerializer<>(registry, ingest.registry(), false);
        AvroSerializer<TaskSpec> taskSerializer = new AvroSerializer<>(registry, ingest.registry(), false);
        TreeSet<String> labels = new TreeSet<>();
        examples.forEach(e -> labels.add(e.label()));
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5);
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            // a closed label set: every record is checked against it
            producer.send(new ProducerRecord<>(topics.tasks(), TASK.getBytes(StandardCharsets.UTF_8),
                    taskSerializer.serialize(topics.tasks(), TaskSpec.newBuilder().setTask(TASK)
                            .setLabels(List.copyOf(labels)).setLabelSetClosed(true).build()))).get();
            for (int copy = 0; copy < copies; copy++) {
                for (Example e : examples) {
                    String id = copy == 0 ? e.id() : e.id() + "#" + copy;
                    LabelledExample value = LabelledExample.newBuilder().setId(id).setTask(TASK).setText(e.text())
                            .setLabel(e.label()).setMetadata(Map.of()).build();
                    producer.send(new ProducerRecord<>(topics.raw(), id.getBytes(StandardCharsets.UTF_8),
                            serializer.serialize(topics.raw(), value)));
                }
            }
            producer.flush();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double perS = (double) examples.size() * copies / seconds;
        out.printf(Locale.ROOT, "  produced %d raw records in %.2f s (%.0f records/s)%n", examples.size() * copies, seconds, perS);
        return perS;
    }

    private static KafkaConsumer<byte[], byte[]> outputReader(String bootstrap) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "ingest-benchmark-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static String field(JsonNode node, String name, Path file, int line) {
        JsonNode v = node.get(name);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException(file + " line " + line + ": field '" + name + "' must be a non-blank string");
        }
        return v.asText();
    }

    private static int integer(String flag, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be an integer, was '" + value + "'");
        }
    }
}
