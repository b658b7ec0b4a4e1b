package dev.streamtune.app;

import dev.streamtune.subscriber.ModelSubscriber;
import dev.streamtune.subscriber.SubscriberConfig;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Follows model updates with the subscriber library and prints each swap or refusal as it happens. */
@Command(name = "subscribe", mixinStandardHelpOptions = true,
        description = "Follow models.updates: print each verified model swap (or refusal) as it arrives, until Ctrl-C.")
final class SubscribeCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--task", description = "Follow only this task. Default: every task.")
    String task;

    @Mixin
    ArtifactOptions artifacts;

    @Mixin
    KeyOptions keys;

    @Option(names = "--exit-after", defaultValue = "0", description = "Exit after this many swaps (0 = run until Ctrl-C).")
    int exitAfter;

    @Override
    public Integer call() throws InterruptedException {
        SubscriberConfig config = SubscriberConfig.of(connection.bootstrapServers, connection.registryUrl,
                keys.trusted(Paths.defaultData(), dev.streamtune.schemas.signing.KeyFiles.EVALUATOR))
                .withUpdatesTopic(connection.topics().updates()).withKafkaClient(connection.kafkaClient());
        if (task != null) {
            config = config.withTask(task);
        }
        config = config.withArtifactDirectory(artifacts.directory());
        CountDownLatch swaps = new CountDownLatch(exitAfter > 0 ? exitAfter : Integer.MAX_VALUE);
        CountDownLatch stop = new CountDownLatch(1);
        try (ModelSubscriber subscriber = ModelSubscriber.start(config)) {
            subscriber.onUpdate(swap -> {
                System.out.printf("%s %s task=%s version=%d previous=%s technique=%s reason=%s%n", Instant.now(),
                        swap.action(), swap.task(), swap.version(), swap.previousVersion() == null ? "-" : swap.previousVersion(),
                        swap.model().techniqueId(), swap.reason());
                System.out.flush();
                swaps.countDown();
                if (swaps.getCount() == 0) {
                    stop.countDown();
                }
            }).onRejected(e -> {
                System.out.printf("%s REFUSED task=%s version=%s: %s%n", Instant.now(), e.task(), e.version(), e.getMessage());
                System.out.flush();
            });
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "subscribe-stop"));
            stop.await();
        }
        return 0;
    }
}
