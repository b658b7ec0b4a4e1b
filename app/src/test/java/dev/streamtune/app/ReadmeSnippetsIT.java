package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.datasets.CorpusExample;
import dev.streamtune.datasets.LoadOptions;
import dev.streamtune.datasets.SpamAssassin;
import dev.streamtune.loader.DirectoryArtifactStore;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.ContractSchemas;
import dev.streamtune.schemas.serde.RestSchemaRegistryClient;
import dev.streamtune.testkit.Lines;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's client examples, extracted from README.md (the fenced block after each {@code <!-- snippet: NAME -->})
 * and run exactly as written, from the repository root, against {@code streamtune up} in its own JVM: the Python
 * producer (confluent-kafka, only the published .avsc, no registration), the Python follower of
 * {@code models.updates}, and kcat. The addresses travel in the variables the snippets read, as a user's shell
 * would set them; nothing else is changed.
 */
class ReadmeSnippetsIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern SNIPPET = Pattern.compile(
            "<!-- snippet: ([a-z0-9-]+) -->\\s*\\n```[a-z]*\\n(.*?)\\n```", Pattern.DOTALL);
    private static final Pattern PRODUCED = Pattern.compile("produced (\\S+) to examples.raw with schema id (\\d+)");
    private static final Pattern FOLLOWED = Pattern.compile("PROMOTE task=spam version=(\\d+) validation macro_f1=(\\d\\.\\d{3})");
    private static final Pattern PREDICTED = Pattern.compile("(ham|spam)\tv(\\d+)\t.*");
    private static final Pattern KCAT_LINE = Pattern.compile("task=spam offset=(\\d+) bytes=(\\d+)");

    /** Every marked snippet of README.md, by name. */
    static Map<String, String> snippets(Path readme) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = SNIPPET.matcher(Files.readString(readme, StandardCharsets.UTF_8));
        while (m.find()) {
            assertThat(out.put(m.group(1), m.group(2) + "\n")).as("snippet " + m.group(1) + " marked once").isNull();
        }
        return out;
    }

    @Test
    void theReadmeClientsProduceFollowAndListAgainstUp(@TempDir Path data) throws Exception {
        Map<String, String> snippets = snippets(REPO.resolve("README.md"));
        assertThat(snippets).containsKeys("python-producer", "python-follower", "kcat");
        assumeTrue(UpCommandIT.pythonHasConfluentKafka() && pythonHas("avro.io"),
                "the README's Python snippets need /usr/bin/python3 with Debian's python3-confluent-kafka and python3-avro"
                        + " (.ci/run installs them); skipped");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/kcat")), "the README's kcat snippet needs kcat (.ci/run installs it); skipped");
        Path scripts = Files.createDirectories(data.resolve("snippets"));
        long started = System.nanoTime();

        // a balanced stream and small publish and judging points: the first promotion comes within a minute or two
        try (UpProcess up = UpProcess.start(data.resolve("up"), "--min-validation", "16", "--publish-every", "60")) {
            phase(started, "up printed its addresses");
            Map<String, String> env = Map.of("STREAMTUNE_BOOTSTRAP_SERVERS", up.bootstrap,
                    "STREAMTUNE_SCHEMA_REGISTRY_URL", up.registryUrl);
            // the platform registered every contract before printing its addresses: no Java producer has run yet
            RestSchemaRegistryClient registry = new RestSchemaRegistryClient(up.registryUrl);
            for (ContractSchemas.Subject s : ContractSchemas.subjects(Topics.defaults(), List.of(LocalPipeline.BACKBONE))) {
                assertThat(registry.getLatest(s.name()).schema()).as(s.name()).isEqualTo(s.contract().schema());
            }
            int contractId = registry.getLatest("examples.raw-value").id();
            assertThat(new picocli.CommandLine(new Streamtune()).execute("task", "create", "spam", "--labels", "ham,spam",
                    "--closed", "-b", up.bootstrap, "-r", up.registryUrl)).isZero();

            // the producer: looks the contract up (no registration) and produces one example that ingest accepts
            Run producer = run(List.of("/usr/bin/python3", write(scripts, "producer.py", snippets.get("python-producer"))),
                    env, 60);
            assertThat(producer.exit).as(producer.output).isZero();
            Matcher produced = PRODUCED.matcher(producer.output);
            assertThat(produced.find()).as(producer.output).isTrue();
            assertThat(Integer.parseInt(produced.group(2))).isEqualTo(contractId);
            assertThat(registry.getLatest("examples.raw-value").version()).as("the producer registered nothing").isEqualTo(1);
            phase(started, "the README producer produced");

            // the follower runs until stopped; it should print the promotion the examples below lead to
            Process follower = start(List.of("/usr/bin/python3", write(scripts, "follower.py", snippets.get("python-follower"))),
                    env);
            Lines followed = Lines.of(follower, "follower");
            try {
                Path examples = data.resolve("examples.jsonl");
                ObjectMapper json = new ObjectMapper();
                StringBuilder lines = new StringBuilder();
                for (CorpusExample e : balanced(120)) {
                    lines.append(json.writeValueAsString(Map.of("id", e.id(), "text", e.text(), "label", e.label()))).append('\n');
                }
                Files.writeString(examples, lines);
                assertThat(new picocli.CommandLine(new Streamtune()).execute("produce", examples.toString(), "--task", "spam",
                        "-b", up.bootstrap, "-r", up.registryUrl)).isZero();

                String id = produced.group(1);
                assertThat(acceptedSplit(up, registry, id, Duration.ofSeconds(90)))
                        .as("the README producer's record reached a split topic; up's last lines:%n%s", up.tail(30))
                        .isNotNull();
                assertThat(TopicSnapshot.read(kafka(up), "examples.dlq", Duration.ofSeconds(30)))
                        .as("nothing dead-lettered").isEmpty();
                phase(started, "ingest accepted the README producer's record");

                try {
                    followed.awaitLine(l -> FOLLOWED.matcher(l).find(), Duration.ofSeconds(150),
                            "the follower printing a promotion");
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\nup's last lines:\n" + up.tail(40), e);
                }
                phase(started, "the follower printed a promotion");

                // predict serves the champion of the task declared after up started, with up's artifacts and key
                int promoted = followed.lines().stream().map(FOLLOWED::matcher).filter(Matcher::find)
                        .mapToInt(m -> Integer.parseInt(m.group(1))).max().orElseThrow();
                Path upData = data.resolve("up");
                Run predict = inProcess("predict", "--task", "spam", "-b", up.bootstrap, "-r", up.registryUrl,
                        "--artifact-dir", DirectoryArtifactStore.under(upData).toString(),
                        "--trusted-key", upData.resolve("keys").resolve("evaluator.pub").toString(),
                        "WIN A FREE CRUISE", "lunch at noon?");
                assertThat(predict.exit).as(predict.output).isZero();
                List<Matcher> predictions = predict.output.lines().map(PREDICTED::matcher).filter(Matcher::matches).toList();
                assertThat(predictions).as(predict.output).hasSize(2);
                assertThat(predictions).allSatisfy(m -> assertThat(Integer.parseInt(m.group(2)))
                        .as("the version predict serves").isGreaterThanOrEqualTo(promoted));
                phase(started, "predict served the champion");
            } finally {
                follower.destroy();
                follower.waitFor(10, TimeUnit.SECONDS);
            }

            // kcat lists the updates present, one line each, and exits
            Run kcat = run(List.of("/bin/bash", "-c", snippets.get("kcat")), env, 60);
            assertThat(kcat.exit).as(kcat.output).isZero();
            List<String> kcatLines = kcat.output.lines().filter(l -> !l.isBlank()).toList();
            assertThat(kcatLines).isNotEmpty().allMatch(l -> KCAT_LINE.matcher(l).matches(), "task=spam offset=N bytes=N");
            System.out.printf("ReadmeSnippetsIT: producer, follower (first promotion) and kcat in %d s%n",
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        }
    }

    private static void phase(long started, String what) {
        System.out.printf("ReadmeSnippetsIT: %s at %d s%n", what, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    /** {@code perLabel} ham and as many spam emails (their first 1,000 characters), interleaved, in a fixed order. */
    private static List<CorpusExample> balanced(int perLabel) {
        Map<String, List<CorpusExample>> byLabel = new LinkedHashMap<>();
        List<CorpusExample> all = new ArrayList<>(SpamAssassin.load(LoadOptions.truncatedTo(1_000)).examples());
        java.util.Collections.shuffle(all, new java.util.Random(7));
        for (CorpusExample e : all) {
            byLabel.computeIfAbsent(e.label(), l -> new ArrayList<>()).add(e);
        }
        List<CorpusExample> out = new ArrayList<>();
        for (int i = 0; i < perLabel; i++) {
            for (List<CorpusExample> examples : byLabel.values()) {
                out.add(examples.get(i));
            }
        }
        return out;
    }

    /** The split topic the example {@code id} landed in, or null if it did not within {@code timeout}. */
    private static String acceptedSplit(UpProcess up, RestSchemaRegistryClient registry, String id, Duration timeout)
            throws InterruptedException {
        AvroDeserializer<LabelledExample> reader = new AvroDeserializer<>(registry, AvroSerdeConfig.of(up.registryUrl),
                LabelledExample.class);
        AtomicReference<String> found = new AtomicReference<>();
        try {
            await("example " + id + " on a split topic").atMost(timeout)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(1)).until(() -> {
                        for (String split : Topics.defaults().splits()) {
                            for (ConsumerRecord<String, byte[]> r : TopicSnapshot.read(kafka(up), split, Duration.ofSeconds(30))) {
                                LabelledExample e = reader.deserialize(split, r.value());
                                if (id.equals(e.getId())) {
                                    assertThat(e.getText()).startsWith("WIN A FREE CRUISE");
                                    assertThat(e.getMetadata()).containsEntry("source", "readme");
                                    found.set(split);
                                    return true;
                                }
                            }
                        }
                        return false;
                    });
        } catch (ConditionTimeoutException e) {
            return null; // the caller's assertion says what was missing, with up's last lines
        }
        return found.get();
    }

    private static Map<String, Object> kafka(UpProcess up) {
        return new java.util.HashMap<>(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, up.bootstrap,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
    }

    private static String write(Path dir, String name, String code) throws IOException {
        return Files.writeString(dir.resolve(name), code, StandardCharsets.UTF_8).toString();
    }

    private record Run(int exit, String output) {}

    /** Runs a streamtune command in this JVM, with what it prints to standard output. */
    private static Run inProcess(String... args) {
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        int exit;
        System.setOut(new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            exit = new picocli.CommandLine(new Streamtune()).execute(args);
        } finally {
            System.setOut(stdout);
        }
        String output = printed.toString(StandardCharsets.UTF_8);
        System.out.print(output);
        return new Run(exit, output);
    }

    private static Run run(List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
        Lines output = Lines.of(start(command, env), "snippet");
        int exit = output.awaitExit(Duration.ofSeconds(timeoutSeconds), String.valueOf(command));
        return new Run(exit, String.join("\n", output.lines()) + "\n");
    }

    /** Starts a snippet in the repository root with {@code env} added, its stderr merged into its stdout. */
    private static Process start(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        return pb.start();
    }

    private static boolean pythonHas(String module) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import " + module).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
