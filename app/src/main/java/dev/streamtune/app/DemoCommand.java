package dev.streamtune.app;

import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.datasets.Corpus;
import dev.streamtune.datasets.SpamAssassin;
import dev.streamtune.ingest.IngestMetrics;
import dev.streamtune.ingest.SplitRatios;
import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.schemas.MetricNames;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.RestSchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.trainer.service.TrainerCounters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The one-command demo: a real broker and registry, every service, the SpamAssassin corpus
 * streamed through, a live dashboard, and a closing summary read back from the topics.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole system on this machine and stream the bundled SpamAssassin corpus",
                "(6,046 labelled emails) through it: ingest, featurizer, trainer, evaluator, dashboard."})
final class DemoCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    LearningOptions learning;

    @picocli.CommandLine.Mixin
    TechniqueOptions technique;
    static final String TASK = "spam";

    @Option(names = "--dashboard-port", defaultValue = "8080", description = "Dashboard port (0 = any free port). Default: ${DEFAULT-VALUE}")
    int dashboardPort;

    @Option(names = "--rate", defaultValue = "0", description = "Examples per second to produce; 0 = as fast as the pipeline takes them. Default: ${DEFAULT-VALUE}")
    double rate;

    @Option(names = "--limit", defaultValue = "0", description = "Stream a stratified sample of this many emails; 0 = the whole corpus.")
    int limit;

    @Option(names = "--max-tokens", defaultValue = "128", description = "Tokens kept per email by the featurizer. Default: ${DEFAULT-VALUE}")
    int maxTokens;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions per topic. Default: ${DEFAULT-VALUE}")
    int partitions;

    @Option(names = "--threads", description = "Featurizer threads. Default: all cores.")
    Integer threads;

    @Option(names = "--data-dir", description = "Broker, checkpoints and artifacts. Default: a fresh temporary directory.")
    Path dataDir;

    @Option(names = "--exit-when-done", description = "Exit after the summary instead of serving the dashboard until Ctrl-C.")
    boolean exitWhenDone;

    @Option(names = "--summary-json", description = "Also write the summary as JSON to this file.")
    Path summaryJson;

    @Option(names = "--timeout", defaultValue = "30m", description = "Give up (exit 1) if the corpus is not through by then, e.g. 20m. Default: ${DEFAULT-VALUE}")
    String timeout;

    @Option(names = "--progress-every", defaultValue = "5s", description = "How often the progress line is printed. Default: ${DEFAULT-VALUE}")
    String progressEvery;

    @Override
    public Integer call() throws Exception {
        Duration deadline = parseDuration("--timeout", timeout);
        Map<String, String> settings = taskSettings();
        if (settings == null) {
            return 2;
        }
        Duration tick = parseDuration("--progress-every", progressEvery);
        Corpus corpus = limit > 0 ? SpamAssassin.load().stratifiedSample(limit, 42) : SpamAssassin.load();
        Path data = dataDir != null ? dataDir : Files.createTempDirectory("streamtune-demo");
        int cores = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        long startNanos = System.nanoTime();

        System.out.printf("streamtune demo: %d emails (%s) through a local Kafka cluster; data in %s%n",
                corpus.size(), corpus.countByLabel(), data);
        if (learning.minValidationFor(corpus.size()) < learning.minValidation) {
            System.out.printf("  the evaluator judges candidates once %d validation examples are in (the sample holds"
                    + " about %d; --min-validation %d would never be reached)%n", learning.minValidationFor(corpus.size()),
                    Math.round(corpus.size() * SplitRatios.defaults().validation()), learning.minValidation);
        }
        try (StreamtunePlatform platform = StreamtunePlatform.start(new PlatformConfig(0, 0, Optional.of(data), partitions));
             LocalPipeline pipeline = LocalPipeline.start(new PipelineConfig(platform.bootstrapServers(), platform.registryUrl(),
                     "", partitions, dashboardPort, data, List.of(TASK), 32, maxTokens, cores, learning.publishEveryFor(corpus.size()),
                     java.time.Duration.ofSeconds(30), learning.gateFor(corpus.size())))) {
            System.out.println("  kafka:           " + platform.bootstrapServers());
            System.out.println("  schema registry: " + platform.registryUrl());
            pipeline.dashboardUrl().ifPresent(url -> System.out.println("  dashboard:       " + url));

            Topics topics = Topics.defaults();
            SchemaRegistryClient registry = new RestSchemaRegistryClient(platform.registryUrl());
            AvroSerdeConfig serde = platform.serdeConfig();
            TaskCommand.publish(ConnectionOptions.of(platform.bootstrapServers(), platform.registryUrl()),
                    TaskSpec.newBuilder().setTask(TASK).setLabels(List.of("ham", "spam")).setLabelSetClosed(true)
                            .setTechnique(technique.technique).setSettings(settings)
                            .setDescription("SpamAssassin public corpus")
                            .setCreatedAt(Instant.now()).build());

            AtomicLong produced = new AtomicLong();
            Thread producerThread = new Thread(() -> produce(platform, registry, serde, topics, corpus, produced), "demo-producer");
            producerThread.setDaemon(true);
            producerThread.start();

            TopicReaders readers = new TopicReaders(platform, registry, serde, topics);
            Progress progress = new Progress(corpus.size(), startNanos);
            long deadlineNanos = startNanos + deadline.toNanos();
            boolean done = false;
            while (!done) {
                Thread.sleep(tick.toMillis());
                readers.refresh();
                done = isDone(corpus.size(), produced.get(), pipeline, readers);
                System.out.println(progress.line(produced.get(), pipeline, readers));
                List<String> failures = pipeline.failures();
                if (!failures.isEmpty()) {
                    System.err.println("a service failed: " + failures);
                    return 1;
                }
                if (!done && System.nanoTime() > deadlineNanos) {
                    System.err.printf("the corpus was not through within %s; raise --timeout or lower --limit%n", timeout);
                    return 1;
                }
            }
            double wall = (System.nanoTime() - startNanos) / 1e9;
            DemoSummary summary = readers.summary(corpus.size(), pipeline, wall);
            summary.print(System.out);
            if (summaryJson != null) {
                summary.writeJson(summaryJson);
                System.out.println("summary written to " + summaryJson.toAbsolutePath());
            }
            if (!exitWhenDone) {
                pipeline.dashboardUrl().ifPresent(url -> System.out.println("Dashboard stays up at " + url + " — Ctrl-C to stop."));
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "demo-stop"));
                stop.await();
            }
            return 0;
        }
    }

    /**
     * The spam task's settings: the user's {@code --set}, and for an encoder technique the demo's
     * {@code --max-tokens} unless {@code max_tokens} is set; null (after saying why) when they cannot work.
     */
    private Map<String, String> taskSettings() {
        String problem = technique.problem(List.of("ham", "spam"), LocalPipeline.BACKBONE);
        if (problem == null && "attempt".equals(technique.technique)) {
            problem = "the demo runs one task; ATTEMPT needs promoted prompt versions of its source tasks. Run"
                    + " 'streamtune up --task spam,fortune,wordnet', then 'streamtune produce --corpus fortune --technique"
                    + " prompt' and '... --corpus wordnet ...', and declare spam with 'streamtune task create spam"
                    + " --labels ham,spam --closed --technique attempt --set source_tasks=fortune,wordnet'";
        }
        if (problem != null) {
            System.err.println(problem);
            return null;
        }
        Map<String, String> settings = new java.util.LinkedHashMap<>(technique.settings);
        if (technique.encoder()) {
            settings.putIfAbsent("max_tokens", Integer.toString(maxTokens));
            if (limit == 0 || limit > 1_000) {
                System.out.printf("note: %s trains through the encoder at about 5-15 examples/s per CPU core;"
                        + " --limit 500 keeps the demo to minutes%n", technique.technique);
            }
        }
        return settings;
    }

    private void produce(StreamtunePlatform platform, SchemaRegistryClient registry, AvroSerdeConfig serde,
                         Topics topics, Corpus corpus, AtomicLong produced) {
        try {
            CorpusProducer.produce(platform.bootstrapServers(), registry, serde, topics.raw(), TASK, corpus, rate,
                    (id, timestamp) -> produced.incrementAndGet());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** Everything produced has been routed, featurized, trained on, published and judged. */
    static boolean isDone(long total, long produced, LocalPipeline pipeline, TopicReaders readers) {
        IngestMetrics ingest = pipeline.ingestMetrics();
        long ingested = ingest.routedTotal() + ingest.rejectedTotal() + ingest.duplicatesDropped();
        long featurized = pipeline.featurizer().textsEncoded() + pipeline.featurizer().rejected();
        TrainerCounters trainer = pipeline.trainerCounters().get(TASK);
        long trained = trainer.examplesTrained() + trainer.unknownLabels() + trainer.malformed();
        Optional<ModelVersion> last = readers.lastCandidate();
        return produced == total
                && ingested >= total
                && featurized >= ingest.routedTotal()
                && trained >= ingest.routed(Split.TRAIN)
                && last.isPresent() && last.get().getExamplesSeen() >= trainer.examplesTrained()
                && readers.judgedVersions() >= readers.candidates().size();
    }

    private static Duration parseDuration(String option, String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new DemoCommand()),
                    option + " must be a duration like 90s, 15m or 500ms, got '" + text + "'");
        }
    }

    /** The demo's view of the output topics, read back as any consumer would read them. */
    static final class TopicReaders {
        private final StreamtunePlatform platform;
        private final Topics topics;
        private final AvroDeserializer<ModelVersion> versions;
        private final AvroDeserializer<ModelUpdate> updates;
        private final AvroDeserializer<MetricsEvent> metrics;
        private List<ModelVersion> candidates = List.of();
        private List<ModelUpdate> updateHistory = List.of();
        private long judged;

        TopicReaders(StreamtunePlatform platform, SchemaRegistryClient registry, AvroSerdeConfig serde, Topics topics) {
            this.platform = platform;
            this.topics = topics;
            this.versions = new AvroDeserializer<>(registry, serde, ModelVersion.class);
            this.updates = new AvroDeserializer<>(registry, serde, ModelUpdate.class);
            this.metrics = new AvroDeserializer<>(registry, serde, MetricsEvent.class);
        }

        void refresh() {
            Map<String, Object> kafka = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
            candidates = read(kafka, topics.candidates(), versions).stream().filter(v -> TASK.equals(v.getTask())).toList();
            updateHistory = read(kafka, topics.updates(), updates).stream().filter(u -> TASK.equals(u.getTask())).toList();
            judged = read(kafka, topics.metrics(), metrics).stream()
                    .filter(m -> TASK.equals(m.getTask()) && m.getKind() == MetricKind.EVALUATION
                            && m.getSplit() == Split.VALIDATION && m.getVersion() != null)
                    .map(MetricsEvent::getVersion).distinct().count();
        }

        private static <T> List<T> read(Map<String, Object> kafka, String topic, AvroDeserializer<T> d) {
            return TopicSnapshot.read(kafka, topic, Duration.ofSeconds(30)).stream()
                    .filter(r -> r.value() != null).map(r -> d.deserialize(topic, r.value())).toList();
        }

        List<ModelVersion> candidates() {
            return candidates;
        }

        Optional<ModelVersion> lastCandidate() {
            return candidates.stream().max(java.util.Comparator.comparingLong(ModelVersion::getVersion));
        }

        long judgedVersions() {
            return judged;
        }

        Optional<ModelUpdate> champion() {
            return updateHistory.isEmpty() ? Optional.empty() : Optional.of(updateHistory.get(updateHistory.size() - 1));
        }

        long promotions() {
            return updateHistory.stream().filter(u -> u.getAction() == UpdateAction.PROMOTE).count();
        }

        DemoSummary summary(long examplesIn, LocalPipeline pipeline, double wallSeconds) {
            long rejected = pipeline.ingestMetrics().rejectedTotal() + pipeline.featurizer().rejected();
            DemoSummary.Champion champion = champion().map(u -> new DemoSummary.Champion(u.getVersion(),
                            u.getModel().getTechnique(), u.getTestMetrics().get(MetricNames.MACRO_F1),
                            u.getTestMetrics().get(MetricNames.ACCURACY), u.getValidationMetrics().get(MetricNames.MACRO_F1)))
                    .orElse(new DemoSummary.Champion(null, null, null, null, null));
            long versionCount = candidates.stream().map(ModelVersion::getVersion).distinct().count();
            return new DemoSummary(examplesIn, rejected, versionCount, promotions(), examplesIn / wallSeconds,
                    wallSeconds, champion);
        }
    }

    /** One status line: how far each stage is, the rate, an ETA, the current champion. */
    static final class Progress {
        private final long total;
        private final long startNanos;

        Progress(long total, long startNanos) {
            this.total = total;
            this.startNanos = startNanos;
        }

        String line(long produced, LocalPipeline pipeline, TopicReaders readers) {
            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            IngestMetrics ingest = pipeline.ingestMetrics();
            long routed = ingest.routedTotal();
            long featurized = pipeline.featurizer().textsEncoded();
            TrainerCounters trainer = pipeline.trainerCounters().get(TASK);
            double rate = featurized / Math.max(elapsed, 1e-9);
            long remaining = Math.max(0, (routed > 0 ? routed : total) - featurized);
            String eta = rate > 0 && remaining > 0 ? formatSeconds(remaining / rate) : "-";
            String champion = readers.champion().map(u -> String.format("v%d (val F1 %.3f)", u.getVersion(),
                    u.getValidationMetrics().getOrDefault(MetricNames.MACRO_F1, Double.NaN))).orElse("none yet");
            return String.format("[%s] produced %d/%d · ingested %d (rejected %d) · featurized %d (%.1f/s) · trained %d · "
                            + "versions %d · champion %s · ETA %s",
                    formatSeconds(elapsed), produced, total, routed + ingest.rejectedTotal(), ingest.rejectedTotal(),
                    featurized, rate, trainer.examplesTrained(), readers.candidates().size(), champion, eta);
        }

        static String formatSeconds(double s) {
            long t = Math.round(s);
            return t >= 60 ? String.format("%dm%02ds", t / 60, t % 60) : t + "s";
        }
    }
}
