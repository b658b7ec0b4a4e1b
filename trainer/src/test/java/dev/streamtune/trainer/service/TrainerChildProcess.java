package dev.streamtune.trainer.service;

import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.signing.KeyFiles;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The trainer as a child JVM for {@link TrainerCrashIT}, which SIGKILLs it: {@code BOOTSTRAP REGISTRY TASK DATA_DIR}.
 * It publishes often (every 100 examples or 2 s) so the kills fall between versions. A test fixture, not an entry
 * point: users run {@code streamtune serve trainer}, whose flags and environment are the one way to configure it.
 * SIGTERM finishes the batch, checkpoints, publishes what is unpublished and exits 0 (1 when the trainer failed).
 */
final class TrainerChildProcess {
    private TrainerChildProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[3]);
        TrainerServiceConfig config = TrainerServiceConfig.defaults(args[0], AvroSerdeConfig.of(args[1]), args[2],
                        TrainerServiceConfig.checkpointDirectory(dataDir, args[2]))
                .withDevice("cpu").withMicroBatch(32, Duration.ofMillis(100)).withPublishEvery(100, Duration.ofSeconds(2))
                .withArtifacts(dataDir.resolve("artifacts"), TrainerServiceConfig.DEFAULT_INLINE_DELTA_LIMIT);
        TrainerService service = new TrainerService(config,
                KeyFiles.ensure(dataDir.resolve(KeyFiles.DIRECTORY), KeyFiles.TRAINER));
        Thread worker = new Thread(service, "trainer-" + config.task());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.stop();
            try {
                if (service.awaitStopped(Duration.ofSeconds(60))) {
                    System.err.flush();
                    Runtime.getRuntime().halt(service.failure().isPresent() ? 1 : 0); // not 143: the stop was clean
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "trainer-shutdown"));
        worker.start();
        worker.join();
        System.exit(service.failure().isPresent() ? 1 : 0);
    }
}
