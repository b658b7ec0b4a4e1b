package dev.streamtune.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code streamtune} command. Each subcommand is its own class; this one only wires them. */
@Command(name = "streamtune", mixinStandardHelpOptions = true, versionProvider = Streamtune.Version.class,
        description = "Streaming fine-tuner: labelled examples in through Kafka, model versions out.",
        subcommands = {DemoCommand.class, UpCommand.class, ServeCommand.class, TaskCommand.class, ProduceCommand.class,
                SubscribeCommand.class, PredictCommand.class, RollbackCommand.class, StatusCommand.class, KeysCommand.class,
                SchemasCommand.class, BenchCommand.class})
public final class Streamtune implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        // a GPU node with a newer libtorch needs the torch-compat shim bound before DJL starts
        dev.streamtune.model.TorchCompat.loadIfConfigured();
        System.exit(new CommandLine(new Streamtune()).execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Streamtune.class.getPackage().getImplementationVersion();
            return new String[] {"streamtune " + (v == null ? "development build" : v)};
        }
    }
}
