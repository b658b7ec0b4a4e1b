package dev.streamtune.platform;

import dev.streamtune.broker.BrokerConfig;
import dev.streamtune.broker.EmbeddedKafkaBroker;
import dev.streamtune.registry.RegistryConfig;
import dev.streamtune.registry.RegistryServer;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.ContractSchemas;
import dev.streamtune.schemas.serde.RestSchemaRegistryClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Streamtune's single-machine platform: a real single-node KRaft broker and the schema registry
 * (whose state lives in the broker's compacted {@code _schemas} topic), started together and
 * closed in reverse order. The demo, {@code streamtune up} and the integration tests use it.
 */
public final class StreamtunePlatform implements AutoCloseable {
    private final EmbeddedKafkaBroker broker;
    private final RegistryServer registry;
    private final PlatformConfig config;

    private StreamtunePlatform(EmbeddedKafkaBroker broker, RegistryServer registry, PlatformConfig config) {
        this.broker = broker;
        this.registry = registry;
        this.config = config;
    }

    public static StreamtunePlatform start(PlatformConfig config) {
        BrokerConfig brokerConfig = BrokerConfig.defaults()
                .withPort(config.kafkaPort())
                .withDefaultPartitions(config.partitions());
        if (config.dataDirectory().isPresent()) {
            brokerConfig = brokerConfig.withDataDirectory(config.dataDirectory().get().resolve("kafka"));
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(brokerConfig);
        try {
            RegistryServer registry = RegistryServer.startWithKafka(
                    RegistryConfig.of(config.registryPort(), broker.bootstrapServers())
                            .withBindAddress(config.bindAddress())
                            .withWriteCredentials(config.registryWriteCredentials()));
            return new StreamtunePlatform(broker, registry, config);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The registry's URL for readers (and for writers when writes are open); never carries a secret. */
    public String registryUrl() {
        return "http://localhost:" + registry.port();
    }

    /**
     * The registry's URL for clients that register schemas: with {@code user:password@} when writes
     * need credentials (Confluent's {@code basic.auth.credentials.source=URL}). Do not print it.
     */
    public String writerRegistryUrl() {
        return config.registryWriteCredentials()
                .map(c -> "http://" + c.urlUserInfo() + "@localhost:" + registry.port()).orElse(registryUrl());
    }

    /**
     * Registers every contract subject of {@code topics} (features topics for {@code backboneIds}) in this platform's
     * registry, as {@code streamtune up} does before it prints its addresses, so that producers in any language can
     * run with {@code auto.register.schemas=false}. Idempotent.
     */
    public List<ContractSchemas.Registered> registerContracts(Topics topics, List<String> backboneIds) {
        try (RestSchemaRegistryClient client = new RestSchemaRegistryClient(writerRegistryUrl())) {
            return ContractSchemas.register(client, ContractSchemas.subjects(topics, backboneIds));
        }
    }

    public PlatformConfig config() {
        return config;
    }

    public EmbeddedKafkaBroker broker() {
        return broker;
    }

    public AvroSerdeConfig serdeConfig() {
        return AvroSerdeConfig.of(registryUrl());
    }

    /** bootstrap.servers and schema.registry.url, ready for a Kafka client with our serde. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registryUrl());
        return props;
    }

    @Override
    public void close() {
        try {
            registry.close();
        } finally {
            broker.close();
        }
    }
}
