package dev.streamtune.app;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.ingest.IngestMetrics;
import dev.streamtune.ingest.SplitRatios;
import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.MetricNames;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.RestSchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.trainer.service.TrainerCounters;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One corpus through the whole local pipeline, as {@code demo} and {@code bench quality} both run it: a fresh
 * broker and registry in {@code dataDir}, every service, the corpus' task declared (closed label set, the
 * technique and settings given), the corpus produced to examples.raw, a progress line until everything produced
 * has been routed, featurized, trained on, published and judged; then a summary read back from the topics as any
 * consumer would read them, with the offline {@link Anchors} fit on the same split. Close it to stop everything.
 */
final class CorpusRun implements AutoCloseable {
    /** How {@link #summarize} treats the anchors. */
    enum AnchorMode {
        /** Not computed (JSON null). */
        OFF,
        /** Computed when /usr/bin/python3 has scikit-learn; otherwise skipped with a line saying so (JSON null). */
        IF_AVAILABLE,
        /** Computed; a failure fails the run. */
        REQUIRED
    }

    private final CorpusSource source;
    private final RunOptions options;
    private final StreamtunePlatform platform;
    private final LocalPipeline pipeline;
    private final TopicReaders readers;
    private final SchemaRegistryClient registry;
    private final AvroSerdeConfig serde;
    private final Topics topics = Topics.defaults();
    private final AtomicLong produced = new AtomicLong();
    private final long startNanos;
    private final long startMillis;
    private final String progressLabel;
    private final PrintStream out;
    /** bootstrap.servers and the security settings, for the run's own readers and producer. */
    private final ConnectionOptions connection;

    private CorpusRun(CorpusSource source, RunOptions options, StreamtunePlatform platform, LocalPipeline pipeline,
                      long startNanos, long startMillis, String progressLabel, PrintStream out,
                      KafkaClientProperties kafkaClient) {
        this.source = source;
        this.options = options;
        this.platform = platform;
        this.pipeline = pipeline;
        this.startNanos = startNanos;
        this.startMillis = startMillis;
        this.progressLabel = progressLabel;
        this.out = out;
        this.registry = new RestSchemaRegistryClient(platform.registryUrl());
        this.serde = platform.serdeConfig();
        this.connection = ConnectionOptions.of(platform.bootstrapServers(), platform.registryUrl(), kafkaClient);
        this.readers = new TopicReaders(connection, registry, serde, topics, source.task());
    }

    /**
     * The task's settings: the user's {@code --set}, and for an encoder technique the run's {@code --max-tokens}
     * unless {@code max_tokens} is set; null (after saying why on {@code err}) when they cannot work.
     */
    static Map<String, String> taskSettings(TechniqueOptions technique, RunOptions options, CorpusSource source,
                                            PrintStream out, PrintStream err) {
        String problem = technique.problem(source.labels(), LocalPipeline.BACKBONE);
        if (problem == null && "attempt".equals(technique.technique)) {
            problem = "a corpus run declares one task; ATTEMPT needs promoted prompt versions of its source tasks. Run"
                    + " 'streamtune up --task spam,fortune,wordnet', then 'streamtune produce --corpus fortune --technique"
                    + " prompt' and '... --corpus wordnet ...', and declare spam with 'streamtune task create spam"
                    + " --labels ham,spam --closed --technique attempt --set source_tasks=fortune,wordnet'";
        }
        if (problem != null) {
            err.println(source.name() + ": " + problem);
            return null;
        }
        Map<String, String> settings = new LinkedHashMap<>(technique.settings);
        if (technique.encoder()) {
            settings.putIfAbsent("max_tokens", Integer.toString(options.maxTokens));
            if (source.size() > 1_000) {
                out.printf("note: %s trains through the encoder at about 5-15 examples/s per CPU core;"
                        + " --limit 500 keeps a run to minutes%n", technique.technique);
            }
        }
        return settings;
    }

    /**
     * Starts the platform and pipeline in {@code dataDir}, declares the task and starts producing.
     *
     * @param dashboardPort  the dashboard's port, 0 for any free one, -1 for none
     * @param bindAddress    the interface the registry and the dashboard listen on
     * @param command        what the header line names the run ("demo", "bench quality")
     * @param progressLabel  put before each progress line's counts ("" for none)
     */
    static CorpusRun start(CorpusSource source, String technique, Map<String, String> settings, LearningOptions learning,
                           RunOptions options, int dashboardPort, String bindAddress, Path dataDir, String command,
                           String progressLabel, PrintStream out, KafkaClientProperties kafkaClient) throws Exception {
        long startNanos = System.nanoTime();
        long startMillis = System.currentTimeMillis();
        int size = source.size();
        out.printf("streamtune %s: %d examples of %s (%s) as task %s through a local Kafka cluster; data in %s%n", command,
                size, source.name(), source.labels().size() <= 8 ? source.corpus().countByLabel()
                        : source.labels().size() + " labels", source.task(), dataDir);
        if (learning.minValidationFor(size) < learning.minValidation) {
            out.printf("  the evaluator judges candidates once %d validation examples are in (the sample holds"
                            + " about %d; --min-validation %d would never be reached)%n", learning.minValidationFor(size),
                    Math.round(size * SplitRatios.defaults().validation()), learning.minValidation);
        }
        StreamtunePlatform platform = StreamtunePlatform.start(new PlatformConfig(0, 0, Optional.of(dataDir), options.partitions)
                .withBindAddress(bindAddress));
        CorpusRun run;
        try {
            LocalPipeline pipeline = LocalPipeline.start(new PipelineConfig(platform.bootstrapServers(), platform.registryUrl(),
                    "", options.partitions, dashboardPort, dataDir, List.of(source.task()), 32, options.maxTokens,
                    options.cores(), learning.publishEveryFor(size), Duration.ofSeconds(30), learning.gateFor(size),
                    kafkaClient, dev.streamtune.ingest.IngestLimits.defaults(), bindAddress));
            run = new CorpusRun(source, options, platform, pipeline, startNanos, startMillis, progressLabel, out, kafkaClient);
        } catch (Exception | Error e) {
            platform.close();
            throw e;
        }
        try {
            run.begin(technique, settings);
            return run;
        } catch (Exception | Error e) {
            run.close();
            throw e;
        }
    }

    private void begin(String technique, Map<String, String> settings) throws Exception {
        out.println("  kafka:           " + platform.bootstrapServers());
        out.println("  schema registry: " + platform.registryUrl());
        pipeline.dashboardUrl().ifPresent(url -> out.println("  dashboard:       " + url));
        TaskCommand.publish(connection,
                TaskSpec.newBuilder().setTask(source.task()).setLabels(source.labels()).setLabelSetClosed(true)
                        .setTechnique(technique).setSettings(settings).setDescription(source.description())
                        .setCreatedAt(Instant.now()).build());
        Thread producer = new Thread(() -> {
            try {
                CorpusProducer.produce(connection.kafka(), registry, serde, topics.raw(), source.task(),
                        source.corpus(), options.rate, (id, timestamp) -> produced.incrementAndGet());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }, "corpus-producer");
        producer.setDaemon(true);
        producer.start();
    }

    /**
     * Prints a progress line every {@code --progress-every} until the corpus is through; false (after saying why
     * on {@code err}) when a service failed or {@code --timeout} passed first.
     */
    boolean awaitDone(PrintStream err) throws InterruptedException {
        Duration tick = options.tick();
        long deadlineNanos = startNanos + options.deadline().toNanos();
        Progress progress = new Progress(source.size(), startNanos, source.task(), progressLabel);
        boolean done = false;
        while (!done) {
            Thread.sleep(tick.toMillis());
            readers.refresh();
            done = isDone(source.size(), produced.get(), pipeline, readers, source.task());
            out.println(progress.line(produced.get(), pipeline, readers));
            List<String> failures = pipeline.failures();
            if (!failures.isEmpty()) {
                err.println("a service failed: " + failures);
                return false;
            }
            if (!done && System.nanoTime() > deadlineNanos) {
                err.printf("%s was not through within %s; raise --timeout or lower --limit%n", source.name(), options.timeout);
                return false;
            }
        }
        return true;
    }

    /**
     * The run's figures, read back from the topics, with the anchors as {@code mode} says; wall time is up to
     * the end of the run, before the anchors are fit.
     */
    DemoSummary summarize(AnchorMode mode) throws Exception {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        readers.refresh();
        DemoSummary summary = readers.summary(source.size(), pipeline, wall, startMillis);
        Anchors.Scores anchors = null;
        if (mode == AnchorMode.OFF) {
            out.println("anchors: off (--no-anchors)");
        } else {
            Optional<String> missing = Anchors.unavailable();
            if (missing.isPresent() && mode == AnchorMode.IF_AVAILABLE) {
                out.println("anchors: skipped (" + Anchors.INSTALL + "): " + missing.get());
            } else if (missing.isPresent()) {
                throw new IllegalStateException(missing.get() + " (" + Anchors.INSTALL + ")");
            } else {
                try {
                    anchors = Anchors.compute(splitExamples(), out);
                    out.println("anchors: " + anchors.describe());
                } catch (java.io.IOException e) {
                    if (mode == AnchorMode.REQUIRED) {
                        throw e;
                    }
                    out.println("anchors: failed, left out of the summary: " + e.getMessage());
                }
            }
        }
        return summary.withAnchors(anchors);
    }

    /**
     * Every example of the task on the split topics (the last record of an id wins: a correction replaces its
     * label), joined by id with its vector on the features topic. Examples without a vector are left out and
     * counted on {@code out}.
     */
    List<Anchors.Example> splitExamples() {
        Map<String, Object> kafka = connection.kafka();
        AvroDeserializer<LabelledExample> examples = new AvroDeserializer<>(registry, serde, LabelledExample.class);
        AvroDeserializer<FeatureVector> features = new AvroDeserializer<>(registry, serde, FeatureVector.class);
        Map<String, LabelledExample> byId = new LinkedHashMap<>();
        Map<String, Split> splitOf = new LinkedHashMap<>();
        Split[] splits = {Split.TRAIN, Split.VALIDATION, Split.TEST};
        for (int i = 0; i < splits.length; i++) {
            String topic = topics.splits().get(i);
            for (LabelledExample e : TopicReaders.read(kafka, topic, examples)) {
                if (source.task().equals(e.getTask())) {
                    byId.put(e.getId(), e);
                    splitOf.put(e.getId(), splits[i]);
                }
            }
        }
        Map<String, float[]> vectors = new LinkedHashMap<>();
        String featureTopic = topics.features(LocalPipeline.BACKBONE);
        for (FeatureVector f : TopicReaders.read(kafka, featureTopic, features)) {
            if (source.task().equals(f.getTask())) {
                float[] v = new float[f.getVector().size()];
                for (int j = 0; j < v.length; j++) {
                    v[j] = f.getVector().get(j);
                }
                vectors.put(f.getExampleId(), v);
            }
        }
        List<Anchors.Example> joined = new ArrayList<>(byId.size());
        byId.forEach((id, e) -> {
            float[] v = vectors.get(id);
            if (v != null) {
                joined.add(new Anchors.Example(id, splitOf.get(id), e.getLabel(), e.getText(), v));
            }
        });
        if (joined.size() < byId.size()) {
            out.printf("anchors: %d of %d split examples have no vector on %s and are left out%n",
                    byId.size() - joined.size(), byId.size(), featureTopic);
        }
        return joined;
    }

    CorpusSource source() {
        return source;
    }

    Optional<String> dashboardUrl() {
        return pipeline.dashboardUrl();
    }

    @Override
    public void close() {
        try {
            pipeline.close();
        } finally {
            platform.close();
        }
    }

    /** Everything produced has been routed, featurized, trained on, published and judged. */
    static boolean isDone(long total, long produced, LocalPipeline pipeline, TopicReaders readers, String task) {
        IngestMetrics ingest = pipeline.ingestMetrics();
        long ingested = ingest.routedTotal() + ingest.rejectedTotal() + ingest.duplicatesDropped();
        long featurized = pipeline.featurizer().textsEncoded() + pipeline.featurizer().rejected();
        TrainerCounters trainer = pipeline.trainerCounters().getOrDefault(task, TrainerCounters.NONE);
        long trained = trainer.examplesTrained() + trainer.unknownLabels() + trainer.malformed();
        Optional<ModelVersion> last = readers.lastCandidate();
        return produced == total
                && ingested >= total
                && featurized >= ingest.routedTotal()
                && trained >= ingest.routed(Split.TRAIN)
                && last.isPresent() && last.get().getExamplesSeen() >= trainer.examplesTrained()
                && readers.judgedVersions() >= readers.candidates().size();
    }

    /** One task's view of the output topics, read back as any consumer would read them. */
    static final class TopicReaders {
        private final ConnectionOptions connection;
        private final Topics topics;
        private final String task;
        private final AvroDeserializer<ModelVersion> versions;
        private final AvroDeserializer<ModelUpdate> updates;
        private final AvroDeserializer<MetricsEvent> metrics;
        private List<ModelVersion> candidates = List.of();
        private List<ModelUpdate> updateHistory = List.of();
        private long judged;

        TopicReaders(ConnectionOptions connection, SchemaRegistryClient registry, AvroSerdeConfig serde, Topics topics,
                     String task) {
            this.connection = connection;
            this.topics = topics;
            this.task = task;
            this.versions = new AvroDeserializer<>(registry, serde, ModelVersion.class);
            this.updates = new AvroDeserializer<>(registry, serde, ModelUpdate.class);
            this.metrics = new AvroDeserializer<>(registry, serde, MetricsEvent.class);
        }

        void refresh() {
            Map<String, Object> kafka = connection.kafka();
            candidates = read(kafka, topics.candidates(), versions).stream().filter(v -> task.equals(v.getTask())).toList();
            updateHistory = read(kafka, topics.updates(), updates).stream().filter(u -> task.equals(u.getTask())).toList();
            judged = read(kafka, topics.metrics(), metrics).stream()
                    .filter(m -> task.equals(m.getTask()) && m.getKind() == MetricKind.EVALUATION
                            && m.getSplit() == Split.VALIDATION && m.getVersion() != null)
                    .map(MetricsEvent::getVersion).distinct().count();
        }

        static <T> List<T> read(Map<String, Object> kafka, String topic, AvroDeserializer<T> d) {
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

        /** The latest record on models.updates for the task: the serving version. */
        Optional<ModelUpdate> champion() {
            return updateHistory.isEmpty() ? Optional.empty() : Optional.of(updateHistory.get(updateHistory.size() - 1));
        }

        long promotions() {
            return updateHistory.stream().filter(u -> u.getAction() == UpdateAction.PROMOTE).count();
        }

        /** Seconds from {@code startMillis} to the first PROMOTE's timestamp, or null when nothing was promoted. */
        Double firstChampionSeconds(long startMillis) {
            return updateHistory.stream().filter(u -> u.getAction() == UpdateAction.PROMOTE).findFirst()
                    .map(u -> (u.getTimestamp().toEpochMilli() - startMillis) / 1e3).orElse(null);
        }

        DemoSummary summary(long examplesIn, LocalPipeline pipeline, double wallSeconds, long startMillis) {
            long rejected = pipeline.ingestMetrics().rejectedTotal() + pipeline.featurizer().rejected();
            DemoSummary.Champion champion = champion().map(u -> new DemoSummary.Champion(u.getVersion(),
                            u.getModel().getTechnique(), u.getTestMetrics().get(MetricNames.MACRO_F1),
                            u.getTestMetrics().get(MetricNames.ACCURACY), u.getValidationMetrics().get(MetricNames.MACRO_F1)))
                    .orElse(new DemoSummary.Champion(null, null, null, null, null));
            long versionCount = candidates.stream().map(ModelVersion::getVersion).distinct().count();
            return new DemoSummary(task, examplesIn, rejected, versionCount, promotions(), examplesIn / wallSeconds,
                    wallSeconds, firstChampionSeconds(startMillis), champion, null);
        }
    }

    /** One status line: how far each stage is, the rate, an ETA, the current champion. */
    static final class Progress {
        private final long total;
        private final long startNanos;
        private final String task;
        private final String label;

        Progress(long total, long startNanos, String task, String label) {
            this.total = total;
            this.startNanos = startNanos;
            this.task = task;
            this.label = label.isEmpty() ? "" : label + ": ";
        }

        String line(long produced, LocalPipeline pipeline, TopicReaders readers) {
            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            IngestMetrics ingest = pipeline.ingestMetrics();
            long routed = ingest.routedTotal();
            long featurized = pipeline.featurizer().textsEncoded();
            TrainerCounters trainer = pipeline.trainerCounters().getOrDefault(task, TrainerCounters.NONE);
            double rate = featurized / Math.max(elapsed, 1e-9);
            long remaining = Math.max(0, (routed > 0 ? routed : total) - featurized);
            String eta = rate > 0 && remaining > 0 ? formatSeconds(remaining / rate) : "-";
            String champion = readers.champion().map(u -> String.format("v%d (val F1 %.3f)", u.getVersion(),
                    u.getValidationMetrics().getOrDefault(MetricNames.MACRO_F1, Double.NaN))).orElse("none yet");
            return String.format("[%s] %sproduced %d/%d · ingested %d (rejected %d) · featurized %d (%.1f/s) · trained %d · "
                            + "versions %d · champion %s · trainers: %s · ETA %s",
                    formatSeconds(elapsed), label, produced, total, routed + ingest.rejectedTotal(), ingest.rejectedTotal(),
                    featurized, rate, trainer.examplesTrained(), readers.candidates().size(), champion,
                    trainers(pipeline.trainedTasks()), eta);
        }

        /** "spam, sentiment", or "none" while no trainer runs (a task declared a moment ago, or a failed trainer). */
        static String trainers(List<String> tasks) {
            return tasks.isEmpty() ? "none" : String.join(", ", tasks);
        }

        static String formatSeconds(double s) {
            long t = Math.round(s);
            return t >= 60 ? String.format("%dm%02ds", t / 60, t % 60) : t + "s";
        }
    }
}
