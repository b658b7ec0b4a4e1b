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

    @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "${env:STREAMTUNE_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (env STREAMTUNE_BOOTSTRAP_SERVERS). Default: ${DEFAULT-VALUE}")
    String bootstrapServers;

    @Option(names = {"-r", "--schema-registry-url"}, defaultValue = "${env:STREAMTUNE_SCHEMA_REGISTRY_URL:-http://localhost:8081}",
            description = "Schema registry URL (env STREAMTUNE_SCHEMA_REGISTRY_URL). Default: ${DEFAULT-VALUE}")
    String registryUrl;

    @Option(names = "--topic-prefix", defaultValue = "", description = "Prefix of every Streamtune topic name.")
    String topicPrefix;

    @Mixin
    KafkaConfigOption kafkaConfig;

    Topics topics() {
        return Topics.withPrefix(topicPrefix);
    }

    AvroSerdeConfig serde() {
        return AvroSerdeConfig.of(registryUrl);
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
        c.kafkaConfig = KafkaConfigOption.of(kafkaClient);
        return c;
    }
}
