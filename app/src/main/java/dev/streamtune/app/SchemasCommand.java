package dev.streamtune.app;

import dev.streamtune.schemas.serde.ContractSchemas;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * The contract schemas: written out as self-contained {@code .avsc} files for clients in other languages, or
 * registered under their subjects in a registry (what {@code up} and each {@code serve} service do at start).
 */
@Command(name = "schemas", mixinStandardHelpOptions = true, description = "Export or register the contract schemas.",
        subcommands = {SchemasCommand.Export.class, SchemasCommand.Register.class})
final class SchemasCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write each contract as one self-contained .avsc (every named type inlined) into DIR.")
    static final class Export implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR", description = "Directory to write into (created if missing).")
        Path directory;

        @Override
        public Integer call() {
            for (Path file : ContractSchemas.export(directory)) {
                System.out.println(file);
            }
            return 0;
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Register every contract subject in the schema registry (idempotent), so producers can run"
                    + " with auto.register.schemas=false.")
    static final class Register implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @Override
        public Integer call() {
            try (SchemaRegistryClient registry = connection.registry()) {
                for (ContractSchemas.Registered r : ContractSchemas.register(registry,
                        ContractSchemas.subjects(connection.topics(), List.of(LocalPipeline.BACKBONE)))) {
                    System.out.printf("%-34s %-16s id %d%s%n", r.subject().name(), r.subject().contract().schema().getName(),
                            r.id(), r.added() ? " (registered now)" : "");
                }
            } catch (dev.streamtune.schemas.serde.RegistryException e) {
                System.err.println("streamtune schemas register: " + e.getMessage());
                return 1;
            }
            return 0;
        }
    }
}
