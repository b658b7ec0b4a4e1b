package dev.streamtune.app;

import dev.streamtune.dashboard.DashboardConfig;
import dev.streamtune.dashboard.DashboardServer;
import dev.streamtune.evaluator.service.EvaluatorConfig;
import dev.streamtune.evaluator.service.EvaluatorService;
import dev.streamtune.ingest.IngestApp;
import dev.streamtune.ingest.IngestConfig;
import dev.streamtune.featurizer.FeaturizerService;
import dev.streamtune.platform.StreamtuneAcls;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.topics.TopicDeclaration;
import dev.streamtune.schemas.topics.TopicProvisioner;
import dev.streamtune.registry.RegistryConfig;
import dev.streamtune.registry.RegistryServer;
import dev.streamtune.schemas.serde.ContractSchemas;
import dev.streamtune.loader.DirectoryArtifactStore;
import dev.streamtune.trainer.service.TaskTrainers;
import dev.streamtune.trainer.service.TrainerService;
import dev.streamtune.trainer.service.TrainerServiceConfig;
import dev.streamtune.schemas.metrics.ServiceMeters;
import dev.streamtune.trainer.service.TrainerMeters;
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
 * docker-compose and Kubernetes. Every service but the dashboard (which serves its own) also answers
 * {@code /metrics} and {@code /health} on {@code --metrics-port}; each service's meters, its domain counters
 * and its Kafka clients' metrics, come from the service itself ({@code ServiceMeters}).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run one service (ingest, featurizer, trainer, evaluator, dashboard, registry) against an existing Kafka and registry,",
                "or one node of a KRaft cluster (broker: --node-id, --cluster-id, --voters, --port; what 'up --brokers 3' runs)."})
final class ServeCommand implements Callable<Integer> {
    enum Service { ingest, featurizer, trainer, evaluator, dashboard, registry, broker }

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

    @Mixin
    FeaturizerOptions featurizer;

    @Option(names = "--metrics-port", defaultValue = "9400", description = "Prometheus /metrics and /health port. Default: ${DEFAULT-VALUE}")
    int metricsPort;

    @Option(names = "--port", description = "HTTP port of the dashboard (default 8080) or the registry (default 8081).")
    Integer port;

    @Option(names = "--task", defaultValue = "${env:STREAMTUNE_TASK:-spam}", description = "Trainer: the task to train (env STREAMTUNE_TASK). Default: ${DEFAULT-VALUE}")
    String task;

    @Option(names = "--all-tasks", description = {"Trainer: train every task declared on the tasks topic, including tasks declared",
            "later, and stop a task's trainer when the task is removed (what compose and Kubernetes run); --task is then ignored."})
    boolean allTasks;

    @Option(names = "--device", defaultValue = "${env:STREAMTUNE_DEVICE:-auto}", description = "Trainer: auto, cpu or gpu (env STREAMTUNE_DEVICE). Default: ${DEFAULT-VALUE}")
    String device;

    @Option(names = "--publish-every", defaultValue = "${env:STREAMTUNE_PUBLISH_EVERY:-500}",
            description = "Trainer: publish a candidate after this many new train examples (env STREAMTUNE_PUBLISH_EVERY). Default: ${DEFAULT-VALUE}")
    long publishEvery;

    @Option(names = "--publish-interval-s", defaultValue = "${env:STREAMTUNE_PUBLISH_INTERVAL_S:-30}",
            description = {"Trainer: or after this many seconds when some new train examples are unpublished",
                    "(env STREAMTUNE_PUBLISH_INTERVAL_S). Default: ${DEFAULT-VALUE}"})
    long publishIntervalSeconds;

    @Option(names = "--data-dir", defaultValue = "${env:STREAMTUNE_DATA_DIR:-/var/lib/streamtune}", description = "Checkpoints, artifacts and Streams state (env STREAMTUNE_DATA_DIR). Default: ${DEFAULT-VALUE}")
    Path dataDir;

    @Option(names = "--max-held-out", defaultValue = "${env:STREAMTUNE_MAX_HELD_OUT:-20000}",
            description = {"Evaluator: validation (and as many test) examples kept in memory per task, the newest",
                    "(env STREAMTUNE_MAX_HELD_OUT). Default: ${DEFAULT-VALUE}"})
    int maxHeldOut;

    @Option(names = "--node-id", defaultValue = "1", description = "Broker: this node's id, one of --voters. Default: ${DEFAULT-VALUE}")
    int nodeId;

    @Option(names = "--cluster-id", description = "Broker: the cluster id every node is formatted with (22 characters, base64 UUID).")
    String clusterId;

    @Option(names = "--voters", description = "Broker: the controller quorum as id=port,... (e.g. 1=19093,2=19094,3=19095), on localhost.")
    String voters;

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
        if (service != Service.broker) {
            ensureTopics();
        }
        return switch (service) {
            case broker -> {
                if (clusterId == null || voters == null || port == null) {
                    throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                            "serve broker needs --cluster-id, --voters and --port");
                }
                dev.streamtune.broker.EmbeddedKafkaBroker node = dev.streamtune.broker.EmbeddedKafkaBroker.start(
                        dev.streamtune.broker.BrokerConfig.defaults().withPort(port).withDataDirectory(dataDir.resolve("kafka"))
                                .withAutoCreateTopics(false).withDefaultPartitions(3).withStartupTimeout(Duration.ofMinutes(3))
                                .withCluster(new dev.streamtune.broker.ClusterMembership(nodeId, clusterId,
                                        dev.streamtune.broker.ClusterMembership.parseVoters(voters))));
                System.out.println("broker " + nodeId + ": serving " + node.bootstrapServers() + " (cluster " + clusterId + ")");
                yield node;
            }
            case registry -> {
                RegistryServer server = RegistryServer.startWithKafka(RegistryConfig.of(port != null ? port : 8081,
                                connection.bootstrapServers).withKafkaClient(connection.kafkaClient())
                        .withBindAddress(bind.bindAddress).withWriteCredentials(registryAuth.credentials()));
                // Kubernetes probes /health and Prometheus scrapes /metrics on the metrics port, as for every service
                ServiceEndpoint endpoint = ServiceEndpoint.start("registry", bind.bindAddress, metricsPort, () -> true);
                yield () -> { endpoint.close(); server.close(); };
            }
            case dashboard -> {
                registerContracts(StreamtuneAcls.DASHBOARD);
                DashboardServer server = DashboardServer.create(DashboardConfig.of(port != null ? port : DashboardConfig.DEFAULT_PORT,
                        connection.bootstrapServers, connection.registryUrl).withTopics(connection.topics())
                        .withKafkaClient(connection.kafkaClient()).withBindAddress(bind.bindAddress)).start();
                System.out.println("dashboard: " + server.url());
                yield server;
            }
            case ingest -> {
                registerContracts(StreamtuneAcls.INGEST);
                IngestApp app = new IngestApp(IngestConfig.defaults(connection.bootstrapServers, connection.registryUrl)
                        .withTopics(connection.topics()).withKafkaClient(connection.kafkaClient()).withLimits(limits.limits())
                        .withStreamsOverrides(Map.of(StreamsConfig.STATE_DIR_CONFIG, dataDir.resolve("streams").toString())));
                app.start();
                ServiceEndpoint endpoint = ServiceEndpoint.start("ingest", bind.bindAddress, metricsPort,
                        () -> app.state() == KafkaStreams.State.RUNNING || app.state() == KafkaStreams.State.REBALANCING)
                        .bind(app.meters());
                yield () -> { endpoint.close(); app.close(); };
            }
            case featurizer -> {
                registerContracts(StreamtuneAcls.FEATURIZER);
                FeaturizerService service = new FeaturizerService(featurizer.config(connection.bootstrapServers,
                        connection.registryUrl, connection.topicPrefix, connection.kafkaClient()));
                Thread loop = background("featurizer", service::run);
                ServiceEndpoint endpoint = ServiceEndpoint.start("featurizer", bind.bindAddress, metricsPort, loop::isAlive)
                        .bind(service.meters());
                yield () -> { service.stop(); loop.join(30_000); endpoint.close(); service.close(); };
            }
            case trainer -> {
                registerContracts(StreamtuneAcls.TRAINER);
                yield allTasks ? supervisor() : trainer();
            }
            case evaluator -> {
                registerContracts(StreamtuneAcls.EVALUATOR);
                EvaluatorService evaluator = EvaluatorService.start(EvaluatorConfig.defaults(connection.bootstrapServers,
                        connection.registryUrl).withTopics(connection.topics()).withArtifactDirectory(DirectoryArtifactStore.under(dataDir))
                        .withKafkaClient(connection.kafkaClient())
                        .withGate(limits.gate(dev.streamtune.evaluator.GateConfig.defaults())).withMaxHeldOut(maxHeldOut),
                        keys.evaluator(dataDir));
                ServiceEndpoint endpoint = ServiceEndpoint.start("evaluator", bind.bindAddress, metricsPort, evaluator::isRunning)
                        .bind(evaluator.meters());
                yield () -> { endpoint.close(); evaluator.close(); };
            }
        };
    }

    /** One trainer for {@code --task}. */
    private AutoCloseable trainer() throws java.io.IOException {
        TrainerService trainer = new TrainerService(trainerConfig(task),
                keys.signer(dataDir, dev.streamtune.schemas.signing.KeyFiles.TRAINER));
        Thread loop = background("trainer-" + task, trainer);
        ServiceMeters trainerMeters = TrainerMeters.of(trainer);
        ServiceEndpoint endpoint = ServiceEndpoint.start("trainer", bind.bindAddress, metricsPort, trainer::isRunning)
                .bind(trainerMeters);
        return () -> { trainer.stop(); loop.join(60_000); endpoint.close(); trainer.close(); trainerMeters.close(); };
    }

    /** A trainer for every declared task ({@code --all-tasks}); each trainer's meters are served while it runs. */
    private AutoCloseable supervisor() throws java.io.IOException {
        ServiceMeters trainerMeters = new ServiceMeters();
        TaskTrainers trainers = TaskTrainers.start(TaskTrainers.Config.of(connection.bootstrapServers, connection.serde(),
                        connection.topics(), java.util.Set.of(), connection.kafkaClient()),
                TaskTrainers.services(this::trainerConfig, keys.signer(dataDir, dev.streamtune.schemas.signing.KeyFiles.TRAINER),
                        trainerMeters));
        Gauge.builder("streamtune.trainer.tasks.trained", trainers, t -> t.trainedTasks().size())
                .description("Tasks a trainer of this supervisor runs for").register(trainerMeters.registry());
        ServiceEndpoint endpoint = ServiceEndpoint.start("trainer", bind.bindAddress, metricsPort, trainers::isFollowing)
                .bind(trainerMeters);
        return () -> { trainers.close(); endpoint.close(); trainerMeters.close(); };
    }

    TrainerServiceConfig trainerConfig(String forTask) {
        return TrainerServiceConfig.defaults(connection.bootstrapServers, connection.serde(), forTask,
                        TrainerServiceConfig.checkpointDirectory(dataDir, forTask))
                .withTopics(connection.topics()).withDevice(device).withKafkaClient(connection.kafkaClient())
                .withPublishEvery(publishEvery, Duration.ofSeconds(publishIntervalSeconds))
                .withArtifacts(DirectoryArtifactStore.under(dataDir), TrainerServiceConfig.DEFAULT_INLINE_DELTA_LIMIT);
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
            case broker -> List.of();
            case ingest -> List.of(t.raw(), t.train(), t.validation(), t.test(), t.dlq(), t.tasks());
            case featurizer -> List.of(t.train(), t.validation(), t.test(), t.dlq(), features);
            case trainer -> List.of(features, t.train(), t.tasks(), t.candidates(), t.updates(), t.metrics());
            case evaluator -> List.of(features, t.train(), t.validation(), t.test(), t.candidates(), t.updates(), t.metrics());
            case dashboard -> List.of(t.metrics(), t.updates(), t.dlq());
        };
    }

    /**
     * Registers the contract subjects of the topics {@code principal}'s service reads or writes (its ACLs say which),
     * so that users' producers can run with {@code auto.register.schemas=false} whichever service starts first.
     */
    private void registerContracts(String principal) {
        List<String> backbones = List.of(TrainerServiceConfig.DEFAULT_BACKBONE);
        List<ContractSchemas.Subject> subjects = ContractSchemas.subjectsOf(connection.topics(), backbones,
                StreamtuneAcls.topicsReadOrWritten(principal, connection.topics(), backbones));
        try (var registry = connection.registry()) {
            ContractSchemas.register(registry, subjects);
        }
        System.out.println(service + ": contract subjects registered: "
                + subjects.stream().map(ContractSchemas.Subject::name).toList());
    }

    private static Thread background(String name, Runnable body) {
        Thread t = new Thread(body, "streamtune-" + name);
        t.start();
        return t;
    }
}
