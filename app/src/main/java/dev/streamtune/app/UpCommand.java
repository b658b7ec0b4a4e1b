package dev.streamtune.app;

import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the single-machine system for outside clients until Ctrl-C: a real KRaft broker, the schema
 * registry and every Streamtune service, state kept in the data directory across restarts.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start the embedded Kafka broker (KRaft), the schema registry and every Streamtune service",
                "(ingest, featurizer, trainers, evaluator, dashboard) for outside clients, until Ctrl-C."})
final class UpCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    LearningOptions learning;

    @picocli.CommandLine.Mixin
    KafkaConfigOption kafkaConfig;

    @picocli.CommandLine.Mixin
    IngestLimitOptions limits;

    @picocli.CommandLine.Mixin
    BindOptions bind;

    @picocli.CommandLine.Mixin
    RegistryAuthOptions registryAuth;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Kafka client port (0 = any free port). Default: ${DEFAULT-VALUE}")
    int kafkaPort;

    @Option(names = "--registry-port", defaultValue = "8081", description = "Schema registry HTTP port (0 = any free port). Default: ${DEFAULT-VALUE}")
    int registryPort;

    @Option(names = "--data-dir", description = "Where broker logs and schemas live. Default: .data/ under the project.")
    Path dataDir;

    @Option(names = "--partitions", defaultValue = "3", description = "Default partitions of new topics. Default: ${DEFAULT-VALUE}")
    int partitions;

    @Option(names = "--dashboard-port", defaultValue = "8080", description = "Dashboard port (0 = any free port). Default: ${DEFAULT-VALUE}")
    int dashboardPort;

    @Option(names = "--task", split = ",",
            description = {"Train only these tasks (comma separated). Default: every task declared with 'streamtune task create',",
                    "including tasks declared while up runs; a removed task ('streamtune task delete') has its trainer stopped."})
    List<String> tasks = List.of();

    @picocli.CommandLine.Mixin
    TopicDriftOption topicDrift;

    @Option(names = "--platform-only", description = "Run only the broker and the registry, no Streamtune services.")
    boolean platformOnly;

    @Option(names = "--brokers", defaultValue = "1", description = {"Kafka brokers: 1 runs everything in this JVM; 3 to 5 start a KRaft",
            "cluster of that many broker processes (a controller quorum of all), topics at RF 3 and min ISR 2, and every",
            "service as its own 'serve' process (two ingest and two featurizer instances). Default: ${DEFAULT-VALUE}"})
    int brokers;

    @Override
    public Integer call() throws InterruptedException {
        if (brokers != 1) {
            return cluster();
        }
        dev.streamtune.schemas.KafkaClientProperties kafkaClient = kafkaConfig.forEmbeddedBroker();
        Path data = dataDir != null ? dataDir : Paths.defaultData();
        PlatformConfig config = new PlatformConfig(kafkaPort, registryPort, Optional.of(data), partitions)
                .withBindAddress(bind.bindAddress).withRegistryWriteCredentials(registryAuth.credentials());
        StreamtunePlatform platform = StreamtunePlatform.start(config);
        LocalPipeline pipeline;
        int contracts;
        try {
            // the platform registers the contracts (Confluent's advice): users' producers only look their schema up
            contracts = platform.registerContracts(dev.streamtune.schemas.Topics.defaults(), List.of(LocalPipeline.BACKBONE)).size();
            pipeline = platformOnly ? null : LocalPipeline.start(new PipelineConfig(platform.bootstrapServers(),
                    platform.writerRegistryUrl(), "", partitions, dashboardPort, data, tasks, 32, 256,
                    Runtime.getRuntime().availableProcessors(), learning.publishEvery,
                    java.time.Duration.ofSeconds(30), limits.gate(learning.gate()), kafkaClient, limits.limits(),
                    bind.bindAddress), topicDrift.policy());
        } catch (RuntimeException e) {
            platform.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("streamtune: shutting down");
            if (pipeline != null) {
                pipeline.close();
            }
            platform.close();
            stopped.countDown();
        }, "streamtune-shutdown"));
        System.out.println("streamtune is up");
        System.out.println("  kafka bootstrap servers: " + platform.bootstrapServers());
        System.out.println("  schema registry:         " + platform.registryUrl()
                + config.registryWriteCredentials().map(c -> " (writes need basic auth as " + c.user() + ")").orElse(""));
        System.out.println("  contract subjects:       " + contracts + " registered (examples.raw-value, ...;"
                + " one-file schemas in schemas/contracts/)");
        System.out.println("  HTTP listens on:         " + bind.bindAddress
                + (bind.isOpen() ? " (every interface: registry and dashboard are reachable from the network)"
                        : " (this machine only; --bind-address 0.0.0.0 opens it)"));
        System.out.println("  data directory:          " + data.toAbsolutePath());
        if (pipeline != null) {
            System.out.println("  services:                ingest, featurizer, evaluator, a trainer for "
                    + (tasks.isEmpty() ? "every declared task" : "each of " + tasks + " once declared"));
            pipeline.dashboardUrl().ifPresent(url -> System.out.println("  dashboard:               " + url));
            System.out.println("  model updates signed by: " + data.toAbsolutePath().resolve("keys/evaluator.pub")
                    + " (subscribers trust it: --trusted-key)");
        }
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        String trainersLine = null;
        while (!stopped.await(2, java.util.concurrent.TimeUnit.SECONDS)) {
            // say which tasks are trained whenever that changes: a task declared now gets its line within seconds
            String line = pipeline == null ? null : "trainers: " + CorpusRun.Progress.trainers(pipeline.trainedTasks());
            if (line != null && !line.equals(trainersLine)) {
                System.out.println(line);
                System.out.flush();
                trainersLine = line;
            }
        }
        return 0;
    }

    /** {@code --brokers N}: every part its own process, until Ctrl-C. */
    private int cluster() throws InterruptedException {
        Path data = dataDir != null ? dataDir : Paths.defaultData().resolve("cluster");
        LocalCluster cluster = LocalCluster.start(data, brokers, 2, 2, registryPort, dashboardPort, System.out::println);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("streamtune: stopping the services, the registry, then the brokers");
            cluster.close();
            stopped.countDown();
        }, "streamtune-shutdown"));
        System.out.println("streamtune is up (" + brokers + " brokers)");
        System.out.println("  kafka bootstrap servers: " + cluster.bootstrapServers());
        System.out.println("  schema registry:         " + cluster.registryUrl());
        System.out.println("  dashboard:               " + cluster.dashboardUrl());
        System.out.println("  data directory:          " + data.toAbsolutePath() + " (logs/ has a log per process)");
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
