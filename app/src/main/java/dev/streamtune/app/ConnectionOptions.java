package dev.streamtune.app;

import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.RestSchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where the Kafka cluster and the schema registry are, and how to authenticate to Kafka: shared by every client subcommand. */
final class ConnectionOptions {

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec mixee;

    @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "${env:STREAMTUNE_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (env STREAMTUNE_BOOTSTRAP_SERVERS). Default: ${DEFAULT-VALUE}")
    String bootstrapServers;

    @Option(names = {"-r", "--schema-registry-url"}, defaultValue = "${env:STREAMTUNE_SCHEMA_REGISTRY_URL:-http://localhost:8081}",
            description = "Schema registry URL (env STREAMTUNE_SCHEMA_REGISTRY_URL). Default: ${DEFAULT-VALUE}")
    String registryUrl;

    @Option(names = "--topic-prefix", defaultValue = "", description = "Prefix of every Streamtune topic name.")
    String topicPrefix;

    @Option(names = "--auto-register-schemas", defaultValue = "${env:STREAMTUNE_AUTO_REGISTER_SCHEMAS:-auto}",
            description = {"Whether producers register their schema (Confluent's auto.register.schemas): true, false, or auto",
                    "(true for a registry on this machine, false for any other: there the platform has registered the",
                    "contracts and a producer only looks its schema up). Env STREAMTUNE_AUTO_REGISTER_SCHEMAS. Default: ${DEFAULT-VALUE}"})
    String autoRegisterSchemas;

    @Mixin
    KafkaConfigOption kafkaConfig;

    Topics topics() {
        return Topics.withPrefix(topicPrefix);
    }

    AvroSerdeConfig serde() {
        AvroSerdeConfig local = AvroSerdeConfig.of(registryUrl);
        return new AvroSerdeConfig(registryUrl, autoRegister(), local.useLatestVersion(), local.specificReader(),
                local.latestCacheTtl());
    }

    /** {@code --auto-register-schemas}: auto means true for a registry on a loopback host, false elsewhere. */
    boolean autoRegister() {
        String v = autoRegisterSchemas == null ? "auto" : autoRegisterSchemas.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            case "auto" -> isLoopback(registryUrl);
            default -> {
                String message = "--auto-register-schemas must be true, false or auto, got '" + autoRegisterSchemas + "'";
                throw mixee == null ? new IllegalArgumentException(message)
                        : new picocli.CommandLine.ParameterException(mixee.commandLine(), message);
            }
        };
    }

    private static boolean isLoopback(String urls) {
        for (String url : urls.split(",")) {
            String host;
            try {
                host = java.net.URI.create(url.trim()).getHost();
            } catch (IllegalArgumentException e) {
                return false;
            }
            if (host == null || !(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
                    || host.equals("::1"))) {
                return false;
            }
        }
        return true;
    }

    SchemaRegistryClient registry() {
        return new RestSchemaRegistryClient(registryUrl);
    }

    /** The Kafka security settings of {@code --kafka-config}, for the services' config records. */
    KafkaClientProperties kafkaClient() {
        return kafkaConfig.properties();
    }

    /** bootstrap.servers and the security settings: the start of every client's properties. */
    Map<String, Object> kafka() {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return kafkaClient().applyTo(props);
    }

    static ConnectionOptions of(String bootstrapServers, String registryUrl) {
        return of(bootstrapServers, registryUrl, KafkaClientProperties.none());
    }

    static ConnectionOptions of(String bootstrapServers, String registryUrl, KafkaClientProperties kafkaClient) {
        ConnectionOptions c = new ConnectionOptions();
        c.bootstrapServers = bootstrapServers;
        c.registryUrl = registryUrl;
        c.topicPrefix = "";
        c.autoRegisterSchemas = "auto";
        c.kafkaConfig = KafkaConfigOption.of(kafkaClient);
        return c;
    }
}
