package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.schemas.KafkaClientProperties;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --kafka-config} reaches every command that builds Kafka clients, and a bad file is a usage error. */
class KafkaConfigOptionTest {
    @TempDir
    Path dir;

    private Path file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    private static ConnectionOptions connectionOf(Object command) {
        if (command instanceof ServeCommand c) {
            return c.connection;
        } else if (command instanceof PredictCommand c) {
            return c.connection;
        } else if (command instanceof SubscribeCommand c) {
            return c.connection;
        } else if (command instanceof RollbackCommand c) {
            return c.connection;
        } else if (command instanceof ProduceCommand c) {
            return c.connection;
        } else if (command instanceof TaskCommand.Create c) {
            return c.connection;
        }
        throw new AssertionError(command.getClass());
    }

    @Test
    void everyClientCommandLoadsTheFileIntoItsConnection() throws Exception {
        Path config = file("client.properties", "security.protocol=SSL\nssl.endpoint.identification.algorithm=\n");
        String[][] commands = {
                {"serve", "trainer"}, {"predict", "some text"}, {"subscribe"}, {"rollback", "spam", "3"},
                {"produce", "examples.jsonl"}, {"task", "create", "spam", "--labels", "ham,spam"}};
        for (String[] args : commands) {
            CommandLine cli = new CommandLine(new Streamtune());
            String[] full = java.util.Arrays.copyOf(args, args.length + 2);
            full[args.length] = "--kafka-config";
            full[args.length + 1] = config.toString();
            CommandLine.ParseResult parsed = cli.parseArgs(full);
            while (parsed.hasSubcommand()) {
                parsed = parsed.subcommand();
            }
            ConnectionOptions connection = connectionOf(parsed.commandSpec().userObject());
            assertThat(connection.kafkaClient().securityProtocol()).as(String.join(" ", args)).isEqualTo("SSL");
            assertThat(connection.kafka()).as(String.join(" ", args))
                    .containsEntry("security.protocol", "SSL").containsKey("bootstrap.servers");
        }
    }

    @Test
    void withoutTheFlagTheClientsStayPlaintext() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("evaluator");
        // the surefire JVM has no STREAMTUNE_KAFKA_CONFIG
        assertThat(System.getenv(KafkaClientProperties.ENV)).isNull();
        assertThat(serve.connection.kafkaClient()).isEqualTo(KafkaClientProperties.none());
    }

    @Test
    void aBadFileIsAUsageErrorNamingTheSetting() throws Exception {
        Path config = file("bad.properties", "security.protocol=SASL_SSL\ngroup.id=stolen\n");
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new Streamtune()).setErr(new PrintWriter(err))
                .execute("task", "list", "--kafka-config", config.toString(), "-b", "localhost:1");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--kafka-config").contains("group.id").contains(config.toString());
    }

    @Test
    void upAndDemoRefuseAProtocolTheirOwnPlaintextBrokerDoesNotOffer() throws Exception {
        Path config = file("sasl.properties", "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n");
        for (String command : new String[] {"up", "demo"}) {
            StringWriter err = new StringWriter();
            int exit = new CommandLine(new Streamtune()).setErr(new PrintWriter(err))
                    .execute(command, "--kafka-config", config.toString());
            assertThat(exit).as(command).isEqualTo(2);
            assertThat(err.toString()).as(command).contains("security.protocol=SASL_SSL").contains("PLAINTEXT listener");
        }
    }
}
