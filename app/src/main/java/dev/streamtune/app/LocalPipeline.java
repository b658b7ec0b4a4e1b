package dev.streamtune.app;

import dev.streamtune.dashboard.DashboardConfig;
import dev.streamtune.dashboard.DashboardServer;
import dev.streamtune.evaluator.service.EvaluatorConfig;
import dev.streamtune.evaluator.service.EvaluatorService;
import dev.streamtune.ingest.IngestApp;
import dev.streamtune.ingest.IngestConfig;
import dev.streamtune.ingest.IngestMetrics;
import dev.streamtune.featurizer.Featurizer;
import dev.streamtune.featurizer.FeaturizerService;
import dev.streamtune.featurizer.FeaturizerServiceConfig;
import dev.streamtune.schemas.metrics.ServiceMeters;
import dev.streamtune.trainer.service.TrainerCounters;
import dev.streamtune.trainer.service.TaskTrainers;
import dev.streamtune.trainer.service.TrainerServiceConfig;
import dev.streamtune.schemas.signing.KeyFiles;
import dev.streamtune.schemas.signing.ModelTrust;
import dev.streamtune.schemas.signing.SigningKey;
import dev.streamtune.schemas.signing.TrustedKeys;
import dev.streamtune.schemas.topics.TopicDeclaration;
import dev.streamtune.schemas.topics.TopicDriftPolicy;
import dev.streamtune.schemas.topics.TopicProvisioner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every Streamtune service in one JVM against one Kafka cluster and registry: ingest, featurizer,
 * a trainer per declared task ({@link TaskTrainers}), evaluator and dashboard. Each service is the same class that runs alone
 * under {@code streamtune serve}; here they only share a process. Closed in reverse start order.
 */
final class LocalPipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalPipeline.class);
    static final String BACKBONE = TrainerServiceConfig.DEFAULT_BACKBONE;

    private final PipelineConfig config;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private IngestApp ingest;
    private FeaturizerService featurizer;
    private EvaluatorService evaluator;
    private SigningKey evaluatorKey;
    private TaskTrainers trainers;
    private final List<ServiceMeters> meters = new ArrayList<>();
    private DashboardServer dashboard;

    private final UnaryOperator<TrainerServiceConfig> trainerTuning;

    private LocalPipeline(PipelineConfig config, UnaryOperator<TrainerServiceConfig> trainerTuning) {
        this.config = config;
        this.trainerTuning = trainerTuning;
    }

    static LocalPipeline start(PipelineConfig config) {
        return start(config, TopicDriftPolicy.REFUSE);
    }

    /** As {@link #start(PipelineConfig)}, starting on topics that contradict the declaration only under {@code drift} WARN. */
    static LocalPipeline start(PipelineConfig config, TopicDriftPolicy drift) {
        return start(config, drift, UnaryOperator.identity());
    }

    /** As {@link #start(PipelineConfig)}, with each trainer's configuration passed through {@code trainerTuning} last. */
    static LocalPipeline start(PipelineConfig config, UnaryOperator<TrainerServiceConfig> trainerTuning) {
        return start(config, TopicDriftPolicy.REFUSE, trainerTuning);
    }

    private static LocalPipeline start(PipelineConfig config, TopicDriftPolicy drift, UnaryOperator<TrainerServiceConfig> trainerTuning) {
        LocalPipeline pipeline = new LocalPipeline(config, java.util.Objects.requireNonNull(trainerTuning, "trainerTuning"));
        try {
            pipeline.startAll(drift);
            return pipeline;
        } catch (RuntimeException e) {
            pipeline.close();
            throw e;
        }
    }

    private void startAll(TopicDriftPolicy drift) {
        // every topic the services use, created where missing and checked against the one declaration
        TopicProvisioner.ensure(config.bootstrapServers(), config.kafkaClient(),
                new TopicDeclaration(config.topics(), config.partitions()).all(List.of(BACKBONE)), drift);
        Path data = config.dataDirectory();

        ingest = new IngestApp(IngestConfig.defaults(config.bootstrapServers(), config.registryUrl())
                .withTopics(config.topics()).withKafkaClient(config.kafkaClient()).withLimits(config.ingestLimits())
                .withStreamsOverrides(Map.of(StreamsConfig.STATE_DIR_CONFIG, data.resolve("streams").toString(),
                        StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200")));
        started.add(ingest);
        ingest.start();
        meters.add(ingest.meters());

        FeaturizerServiceConfig d = FeaturizerServiceConfig.defaults(config.bootstrapServers(), config.registryUrl());
        featurizer = new FeaturizerService(new FeaturizerServiceConfig(d.bootstrapServers(), d.registryUrl(), BACKBONE,
                config.featurizerBatch(), d.maxWait(), config.maxTokens(), config.threads(), config.topicPrefix(), d.groupId(),
                d.transactionalId(), config.partitions(), Duration.ofSeconds(30), d.batchesPerTransaction(), config.kafkaClient()));
        started.add(featurizer);
        meters.add(featurizer.meters());
        runInThread("featurizer", featurizer::run);

        // the trainers' and the evaluator's keys, created on first start and trusted by each other's readers
        Path keys = data.resolve(KeyFiles.DIRECTORY);
        SigningKey trainerKey = KeyFiles.ensure(keys, KeyFiles.TRAINER);
        evaluatorKey = KeyFiles.ensure(keys, KeyFiles.EVALUATOR);
        evaluator = EvaluatorService.start(EvaluatorConfig.defaults(config.bootstrapServers(), config.registryUrl())
                .withTopics(config.topics()).withKafkaClient(config.kafkaClient())
                .withGate(config.gate())
                .withArtifactDirectory(config.artifactDirectory()),
                new ModelTrust(evaluatorKey, trainerKey.asTrusted()));
        started.add(evaluator);
        meters.add(evaluator.meters());

        // a trainer for every declared task (or only those named), including tasks declared from now on;
        // each trainer's meters appear in trainerMeters while it runs
        ServiceMeters trainerMeters = new ServiceMeters();
        started.add(trainerMeters);
        meters.add(trainerMeters);
        trainers = TaskTrainers.start(TaskTrainers.Config.of(config.bootstrapServers(), trainerSerde(),
                config.topics(), java.util.Set.copyOf(config.trainedTasks()), config.kafkaClient()),
                TaskTrainers.services(task -> trainerTuning.apply(TrainerServiceConfig
                        .defaults(config.bootstrapServers(), trainerSerde(), task,
                                TrainerServiceConfig.checkpointDirectory(data, task))
                        .withTopics(config.topics()).withKafkaClient(config.kafkaClient())
                        .withPublishEvery(config.publishEvery(), config.publishInterval())
                        // large deltas (top-k unfreezing) go where the evaluator and subscribers read them
                        .withArtifacts(config.artifactDirectory(), TrainerServiceConfig.DEFAULT_INLINE_DELTA_LIMIT)),
                        trainerKey, trainerMeters));

        if (config.dashboardPort() >= 0) {
            dashboard = DashboardServer.create(DashboardConfig.of(config.dashboardPort(), config.bootstrapServers(),
                    config.registryUrl()).withTopics(config.topics()).withKafkaClient(config.kafkaClient())
                    .withBindAddress(config.bindAddress())).start();
            started.add(dashboard);
            // up's one /metrics: the dashboard's figures and every service's meters, as each serves alone under serve
            meters.forEach(m -> m.bindTo(dashboard.metrics().registry()));
        }
    }

    private void runInThread(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                log.error("{} stopped: {}", name, e.toString(), e);
            }
        }, "streamtune-" + name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /** What an in-process subscriber trusts: the evaluator's key of this pipeline. */
    TrustedKeys trustedUpdates() {
        return evaluatorKey.asTrusted();
    }

    IngestMetrics ingestMetrics() {
        return ingest.metrics();
    }

    Featurizer featurizer() {
        return featurizer.featurizer();
    }

    /** Counters of each trainer started so far, by task; a task declared a moment ago may have none yet. */
    Map<String, TrainerCounters> trainerCounters() {
        return trainers == null ? Map.of() : trainers.counters();
    }

    /** Tasks whose trainer runs now, sorted: what the status lines print as "trainers: ...". */
    List<String> trainedTasks() {
        return trainers == null ? List.of() : trainers.trainedTasks();
    }

    private dev.streamtune.schemas.serde.AvroSerdeConfig trainerSerde() {
        return new dev.streamtune.schemas.serde.AvroSerdeConfig(config.registryUrl(), true, false, false, Duration.ofSeconds(60));
    }

    Optional<String> dashboardUrl() {
        return dashboard == null ? Optional.empty() : Optional.of(dashboard.url());
    }

    EvaluatorService evaluator() {
        return evaluator;
    }

    /** Services that died, by name, for a progress line that does not hide a failure. */
    List<String> failures() {
        List<String> out = new ArrayList<>();
        if (trainers != null) {
            trainers.failures().forEach((task, why) -> out.add("trainer-" + task + ": " + why));
        }
        evaluator.failure().ifPresent(e -> out.add("evaluator: " + e));
        if (ingest.state() == org.apache.kafka.streams.KafkaStreams.State.ERROR) {
            out.add("ingest: Kafka Streams is in ERROR");
        }
        return out;
    }

    @Override
    public void close() {
        if (trainers != null) {
            trainers.close(); // each trainer checkpoints and publishes before the services it writes to close
        }
        if (featurizer != null) {
            featurizer.stop();
        }
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                log.warn("closing {}: {}", started.get(i).getClass().getSimpleName(), e.toString());
            }
        }
    }
}
