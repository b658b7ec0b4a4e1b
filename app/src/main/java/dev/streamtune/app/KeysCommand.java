package dev.streamtune.app;

import dev.streamtune.schemas.signing.KeyFiles;
import dev.streamtune.schemas.signing.SigningKey;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Creates the trainer's and the evaluator's Ed25519 key pairs in a directory, for deployments that hand keys to
 * services as secrets (Kubernetes) rather than letting them create their own on first start. Existing keys are kept.
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Create the trainer and evaluator signing keys (NAME.key, NAME.pub) in DIR; existing keys are kept.")
final class KeysCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "Directory for trainer.key/.pub and evaluator.key/.pub.")
    Path directory;

    @Override
    public Integer call() {
        for (String role : List.of(KeyFiles.TRAINER, KeyFiles.EVALUATOR)) {
            SigningKey key = KeyFiles.ensure(directory, role);
            System.out.printf("%-9s key %s  %s (private, owner-only)  %s (give to its verifiers)%n", role, key.keyId(),
                    directory.resolve(role + ".key"), directory.resolve(role + ".pub"));
        }
        return 0;
    }
}
