package dev.streamtune.app;

import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.evaluator.service.Rollback;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Re-promotes an earlier version of a task; subscribers swap back to it. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Serve an earlier version of a task again (publishes a ROLLBACK model update).")
final class RollbackCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Mixin
    KeyOptions keys;

    @Parameters(index = "0", description = "The task.")
    String task;

    @Parameters(index = "1", description = "The version to serve.")
    long version;

    @Option(names = "--reason", defaultValue = "operator rollback", description = "Why, recorded in the update.")
    String reason;

    @Override
    public Integer call() {
        try {
            Rollback rollback = new Rollback(new Rollback.Config(connection.bootstrapServers, connection.registryUrl,
                    connection.topics(), Duration.ofSeconds(30), connection.kafkaClient()),
                    keys.existingSigner(Paths.defaultData(), dev.streamtune.schemas.signing.KeyFiles.EVALUATOR));
            ModelUpdate update = rollback.rollback(task, version, reason);
            System.out.printf("task %s now serves version %d (was %s)%n", task, update.getVersion(),
                    update.getPreviousVersion() == null ? "none" : "v" + update.getPreviousVersion());
            return 0;
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("rollback refused: " + e.getMessage());
            return 2;
        }
    }
}
