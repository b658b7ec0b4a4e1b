package dev.streamtune.app;

import dev.streamtune.dashboard.DashboardConfig;
import dev.streamtune.dashboard.DashboardServer;
import dev.streamtune.evaluator.service.EvaluatorConfig;
import dev.streamtune.evaluator.service.EvaluatorService;
import dev.streamtune.ingest.IngestApp;
import dev.streamtune.ingest.IngestConfig;
import dev.streamtune.ingest.featurizer.FeaturizerService;
import dev.streamtune.ingest.featurizer.FeaturizerServiceConfig;
import dev.streamtune.registry.RegistryConfig;
import dev.streamtune.registry.RegistryServer;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.topics.TopicDeclaration;
import dev.streamtune.schemas.topics.TopicProvisioner;
import dev.streamtune.subscriber.DirectoryArtifactStore;
import dev.streamtune.trainer.service.TrainerService;
import dev.streamtune.trainer.service.TrainerServiceConfig;
import io.micrometer.core.instrument.Gauge;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * One service against an existing Kafka cluster and schema registry: what each container runs in
 * docker-compose and Kubernetes. Every service but the dashboard and the registry (which serve
 * their own HTTP) also answers {@code /metrics} and {@code /health} on {@code --metrics-port}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run one service (ingest, featurizer, trainer, evaluator, dashboard, registry) against an existing Kafka and registry.")
final class ServeCommand implements Callable<Integer> {
    enum Service { ingest, featurizer, trainer, evaluator, dashboard, registry }

    @Parameters(index = "0", description = "The service: ${COMPLETION-CANDIDATES}.")
    Service service;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    KeyOptions keys;

    @Mixin
    IngestLimitOptions limits;

    @Mixin
    BindOptions bind;

    @Mixin
    RegistryAuthOptions registryAuth;

    @Mixin
    TopicDriftOption topicDrift;

    @Option(names = "--metrics-port", defaultValue = "9400", description = "Prometheus /metrics and /health port. Default: ${DEFAULT-VALUE}")
    int metricsPort;

    @Option(names = "--port", description = "HTTP port of the dashboard (default 8080) or the registry (default 8081).")
    Integer port;

    @Option(names = "--task", defaultValue = "${env:STREAMTUNE_TASK:-spam}", description = "Trainer: the task to train (env STREAMTUNE_TASK). Default: ${DEFAULT-VALUE}")
    String task;

    @Option(names = "--device", defaultValue = "${env:STREAMTUNE_DEVICE:-auto}", description = "Trainer: auto, cpu or gpu (env STREAMTUNE_DEVICE). Default: ${DEFAULT-VALUE}")
    String device;

    @Option(names = "--data-dir", defaultValue = "${env:STREAMTUNE_DATA_DIR:-/var/lib/streamtune}", description = "Checkpoints, artifacts and Streams state (env STREAMTUNE_DATA_DIR). Default: ${DEFAULT-VALUE}")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        AutoCloseable running = start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
            } catch (Exception e) {
                System.err.println(service + ": error while stopping: " + e);
            } finally {
                stopped.countDown();
            }
        }, "serve-shutdown"));
        System.out.println(service + " running; SIGTERM or Ctrl-C stops it");
        stopped.await();
        return 0;
    }

    /**
     * Checks the topics the service uses against the declaration (refusing to start on a drift unless
     * {@value dev.streamtune.schemas.topics.TopicDriftPolicy#OPTION}), then starts it; closing stops it.
     */
    AutoCloseable start() throws Exception {
        ensureTopics();
        return switch (service) {
            case registry -> RegistryServer.startWithKafka(RegistryConfig.of(port != null ? port : 8081, connection.bootstrapServers)
                    .withKafkaClient(connection.kafkaClient())
                    .withBindAddress(bind.bindAddress).withWriteCredentials(registryAuth.credentials()));
            case dashboard -> {
                DashboardServer server = DashboardServer.create(DashboardConfig.of(port != null ? port : DashboardConfig.DEFAULT_PORT,
                        connection.bootstrapServers, connection.registryUrl).withTopics(connection.topics())
                        .withKafkaClient(connection.kafkaClient()).withBindAddress(bind.bindAddress)).start();
                System.out.println("dashboard: " + server.url());
                yield server;
            }
            case ingest -> {
                IngestApp app = new IngestApp(IngestConfig.defaults(connection.bootstrapServers, connection.registryUrl)
                        .withTopics(connection.topics()).withKafkaClient(connection.kafkaClient()).withLimits(limits.limits())
                        .withStreamsOverrides(Map.of(StreamsConfig.STATE_DIR_CONFIG, dataDir.resolve("streams").toString())));
                app.start();
                ServiceEndpoint endpoint = ServiceEndpoint.start("ingest", bind.bindAddress, metricsPort,
                        () -> app.state() == KafkaStreams.State.RUNNING || app.state() == KafkaStreams.State.REBALANCING);
                Gauge.builder("streamtune_ingest_records_routed", app.metrics(), m -> m.routedTotal()).register(endpoint.registry());
                Gauge.builder("streamtune_ingest_records_rejected", app.metrics(), m -> m.rejectedTotal()).register(endpoint.registry());
                yield () -> { endpoint.close(); app.close(); };
            }
            case featurizer -> {
                FeaturizerService featurizer = new FeaturizerService(FeaturizerServiceConfig.parse(new String[] {
                        "--bootstrap", connection.bootstrapServers, "--registry", connection.registryUrl,
                        "--topic-prefix", connection.topicPrefix}, System.getenv()).withKafkaClient(connection.kafkaClient()));
                Thread loop = background("featurizer", featurizer::run);
                ServiceEndpoint endpoint = ServiceEndpoint.start("featurizer", bind.bindAddress, metricsPort, loop::isAlive);
                Gauge.builder("streamtune_featurizer_texts", featurizer.featurizer(), f -> f.textsEncoded()).register(endpoint.registry());
                Gauge.builder("streamtune_featurizer_tokens", featurizer.featurizer(), f -> f.tokensEncoded()).register(endpoint.registry());
                yield () -> { featurizer.stop(); loop.join(30_000); endpoint.close(); featurizer.close(); };
            }
            case trainer -> {
                TrainerService trainer = new TrainerService(TrainerServiceConfig.defaults(connection.bootstrapServers,
                                connection.serde(), task, dataDir.resolve("checkpoints").resolve(task))
                        .withTopics(connection.topics()).withDevice(device).withKafkaClient(connection.kafkaClient())
                        .withArtifacts(DirectoryArtifactStore.under(dataDir), TrainerServiceConfig.DEFAULT_INLINE_DELTA_LIMIT),
                        keys.signer(dataDir, dev.streamtune.schemas.signing.KeyFiles.TRAINER));
                Thread loop = background("trainer-" + task, trainer);
                ServiceEndpoint endpoint = ServiceEndpoint.start("trainer", bind.bindAddress, metricsPort, trainer::isRunning);
                Gauge.builder("streamtune_trainer_examples_trained", trainer, t -> t.counters().examplesTrained())
                        .tag("task", task).register(endpoint.registry());
                Gauge.builder("streamtune_trainer_versions_published", trainer, t -> t.counters().versionsPublished())
                        .tag("task", task).register(endpoint.registry());
                Gauge.builder("streamtune_trainer_poison_records", trainer, t -> t.counters().poisonRecords())
                        .tag("task", task).register(endpoint.registry());
                yield () -> { trainer.stop(); loop.join(60_000); endpoint.close(); trainer.close(); };
            }
            case evaluator -> {
                EvaluatorService evaluator = EvaluatorService.start(EvaluatorConfig.defaults(connection.bootstrapServers,
                        connection.registryUrl).withTopics(connection.topics()).withArtifactDirectory(DirectoryArtifactStore.under(dataDir))
                        .withKafkaClient(connection.kafkaClient())
                        .withGate(limits.gate(dev.streamtune.evaluator.GateConfig.defaults())),
                        keys.evaluator(dataDir));
                ServiceEndpoint endpoint = ServiceEndpoint.start("evaluator", bind.bindAddress, metricsPort, evaluator::isRunning);
                for (dev.streamtune.schemas.signing.SignatureRefusedException.Reason reason
                        : dev.streamtune.schemas.signing.SignatureRefusedException.Reason.values()) {
                    Gauge.builder("streamtune_evaluator_candidates_refused", evaluator,
                            e -> e.refusedCandidates().getOrDefault("CANDIDATE_" + reason, 0L))
                            .tag("reason", reason.name()).register(endpoint.registry());
                }
                yield () -> { endpoint.close(); evaluator.close(); };
            }
        };
    }

    /** Creates the topics the service uses where missing and holds them to the declaration. */
    private void ensureTopics() {
        TopicProvisioner.ensure(connection.bootstrapServers, connection.kafkaClient(),
                new TopicDeclaration(connection.topics(), 3).specs(usedTopics(service, connection.topics())), topicDrift.policy());
    }

    /** The topics each service reads or writes. */
    static List<String> usedTopics(Service service, Topics t) {
        String features = t.features(TrainerServiceConfig.DEFAULT_BACKBONE);
        return switch (service) {
            case registry -> List.of(t.schemas());
            case ingest -> List.of(t.raw(), t.train(), t.validation(), t.test(), t.dlq(), t.tasks());
            case featurizer -> List.of(t.train(), t.validation(), t.test(), t.dlq(), features);
            case trainer -> List.of(features, t.train(), t.tasks(), t.candidates(), t.updates(), t.metrics());
            case evaluator -> List.of(features, t.train(), t.validation(), t.test(), t.candidates(), t.updates(), t.metrics());
            case dashboard -> List.of(t.metrics(), t.updates(), t.dlq());
        };
    }

    private static Thread background(String name, Runnable body) {
        Thread t = new Thread(body, "streamtune-" + name);
        t.start();
        return t;
    }
}
