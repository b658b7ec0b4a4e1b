package dev.streamtune.featurizer;

import dev.streamtune.schemas.KafkaClientProperties;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The featurizer as a child JVM for {@link FeaturizerCrashIT}, which SIGKILLs it:
 * {@code BOOTSTRAP REGISTRY TOPIC_PREFIX BATCH_SIZE BATCHES_PER_TRANSACTION}. A test fixture, not an entry point: users
 * run {@code streamtune serve featurizer}. SIGTERM asks the loop to commit what it holds, and the JVM is held until
 * the clients are closed.
 */
final class FeaturizerChildProcess {
    private FeaturizerChildProcess() {
    }

    public static void main(String[] args) {
        String prefix = args[2];
        FeaturizerServiceConfig d = FeaturizerServiceConfig.defaults(args[0], args[1]);
        FeaturizerService service = new FeaturizerService(new FeaturizerServiceConfig(args[0], args[1], d.backboneId(),
                Integer.parseInt(args[3]), Duration.ofMillis(50), 64, 1, prefix, prefix + "featurizer", prefix + "featurizer-0",
                d.featuresPartitions(), Duration.ofSeconds(2), Integer.parseInt(args[4]), KafkaClientProperties.none()));
        CountDownLatch closed = new CountDownLatch(1);
        AtomicBoolean terminating = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            terminating.set(true);
            service.stop();
            try {
                closed.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "featurizer-shutdown"));
        int exitCode;
        try {
            exitCode = service.run();
        } finally {
            service.close();
            closed.countDown();
        }
        if (!terminating.get()) { // System.exit inside shutdown would block
            System.exit(exitCode);
        }
    }
}
