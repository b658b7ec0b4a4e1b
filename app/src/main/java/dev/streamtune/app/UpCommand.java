package dev.streamtune.app;

import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the single-machine platform for outside clients until Ctrl-C: a real KRaft broker and the
 * schema registry, state kept in the data directory across restarts.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the embedded Kafka broker (KRaft) and schema registry and keep them running until Ctrl-C.")
final class UpCommand implements Callable<Integer> {

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Kafka client port (0 = any free port). Default: ${DEFAULT-VALUE}")
    int kafkaPort;

    @Option(names = "--registry-port", defaultValue = "8081", description = "Schema registry HTTP port (0 = any free port). Default: ${DEFAULT-VALUE}")
    int registryPort;

    @Option(names = "--data-dir", description = "Where broker logs and schemas live. Default: .data/ under the project.")
    Path dataDir;

    @Option(names = "--partitions", defaultValue = "3", description = "Default partitions of new topics. Default: ${DEFAULT-VALUE}")
    int partitions;

    @Override
    public Integer call() throws InterruptedException {
        Path data = dataDir != null ? dataDir : Paths.home().resolve(".data");
        PlatformConfig config = new PlatformConfig(kafkaPort, registryPort, Optional.of(data), partitions);
        StreamtunePlatform platform = StreamtunePlatform.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("streamtune: shutting down");
            platform.close();
            stopped.countDown();
        }, "streamtune-shutdown"));
        System.out.println("streamtune is up");
        System.out.println("  kafka bootstrap servers: " + platform.bootstrapServers());
        System.out.println("  schema registry:         " + platform.registryUrl());
        System.out.println("  data directory:          " + data.toAbsolutePath());
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
