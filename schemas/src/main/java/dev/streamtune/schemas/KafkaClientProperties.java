package dev.streamtune.schemas;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SecurityConfig;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * How every Kafka client of a service reaches and authenticates to the cluster: the standard Kafka
 * client settings for security ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}) and for the
 * connection itself ({@code client.dns.lookup}, reconnect and socket-setup timeouts), loaded from a Java
 * properties file named by {@value #OPTION} or {@value #ENV}. Every producer, consumer, admin client and
 * Kafka Streams app a service builds gets them ({@link #applyTo}).
 *
 * <p>Only those settings: a service sets its own bootstrap servers, groups, transactional ids,
 * isolation level and serializers, and a file that tried to change them would change what the service
 * guarantees. A key outside the allowed set, an unknown {@code sasl.}/{@code ssl.} key (a typo would
 * otherwise be ignored by Kafka, and the client would connect without the setting), a value Kafka
 * would not parse, SASL settings without a SASL protocol, and a key or trust store that is not a
 * readable file are refused with the key named.
 *
 * <p>{@link #toString()} hides passwords and JAAS configurations, so the record may be logged.
 *
 * @param properties the settings, by their Kafka names; empty for PLAINTEXT without further settings
 */
public record KafkaClientProperties(Map<String, String> properties) {

    /** The command-line flag every service entry point accepts. */
    public static final String OPTION = "--kafka-config";
    /** The environment variable read when the flag is absent. */
    public static final String ENV = "STREAMTUNE_KAFKA_CONFIG";

    /** Connection settings beyond security that an operator may need to set for a cluster. */
    private static final Set<String> CONNECTION_KEYS = Set.of(
            CommonClientConfigs.CLIENT_DNS_LOOKUP_CONFIG,
            CommonClientConfigs.CONNECTIONS_MAX_IDLE_MS_CONFIG,
            CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG,
            CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG,
            CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG,
            CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG);
    private static final Set<String> STORE_LOCATIONS = Set.of("ssl.truststore.location", "ssl.keystore.location");
    private static final ConfigDef CLIENT_CONFIG = AdminClientConfig.configDef();
    private static final KafkaClientProperties NONE = new KafkaClientProperties(Map.of());

    public KafkaClientProperties {
        if (properties == null) {
            throw new IllegalArgumentException("properties must be given (KafkaClientProperties.none() for none)");
        }
        Map<String, String> copy = new TreeMap<>();
        properties.forEach((key, value) -> {
            check(key, value);
            copy.put(key, value);
        });
        checkTogether(copy);
        properties = Collections.unmodifiableMap(copy);
    }

    /** No settings: PLAINTEXT, Kafka's defaults. */
    public static KafkaClientProperties none() {
        return NONE;
    }

    public static KafkaClientProperties of(Map<String, String> properties) {
        return new KafkaClientProperties(properties);
    }

    /** Reads a Java properties file (UTF-8) of Kafka client settings. */
    public static KafkaClientProperties load(Path file) {
        java.util.Properties loaded = new java.util.Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            loaded.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("kafka config " + file + " cannot be read: " + e.getMessage(), e);
        }
        Map<String, String> map = new HashMap<>();
        loaded.stringPropertyNames().forEach(k -> map.put(k.trim(), loaded.getProperty(k).trim()));
        try {
            return new KafkaClientProperties(map);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kafka config " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The settings named by a flag's value, else by {@value #ENV} in {@code environment}, else none.
     * Blank counts as absent.
     */
    public static KafkaClientProperties resolve(String flagValue, Map<String, String> environment) {
        String file = flagValue != null && !flagValue.isBlank() ? flagValue : environment.get(ENV);
        return file == null || file.isBlank() ? none() : load(Path.of(file.trim()));
    }

    /** Puts every setting into {@code clientProperties} (a producer, consumer, admin or Streams config) and returns it. */
    public <M extends Map<? super String, ? super String>> M applyTo(M clientProperties) {
        clientProperties.putAll(properties);
        return clientProperties;
    }

    /** A new mutable map: {@code base} with every setting added, for clients configured from {@code Map.of(...)}. */
    public Map<String, Object> with(Map<String, ?> base) {
        return applyTo(new HashMap<String, Object>(base));
    }

    /** {@code security.protocol}, upper case; PLAINTEXT when not set. */
    public String securityProtocol() {
        return properties.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.PLAINTEXT.name)
                .toUpperCase(Locale.ROOT);
    }

    public boolean isEmpty() {
        return properties.isEmpty();
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach((key, value) -> shown.put(key, isSecret(key) ? "[hidden]" : value));
        return "KafkaClientProperties" + shown;
    }

    private static boolean isSecret(String key) {
        ConfigDef.ConfigKey def = CLIENT_CONFIG.configKeys().get(key);
        return def != null && def.type == ConfigDef.Type.PASSWORD;
    }

    private static void check(String key, String value) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("a kafka client setting has a blank name");
        }
        if (value == null) {
            throw new IllegalArgumentException(key + " has no value");
        }
        if (key.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException(key + " is not read from the kafka config: give it with"
                    + " --bootstrap-servers or STREAMTUNE_BOOTSTRAP_SERVERS");
        }
        boolean security = key.equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG) || key.startsWith("sasl.")
                || key.startsWith("ssl.") || key.equals(SecurityConfig.SECURITY_PROVIDERS_CONFIG);
        if (!security && !CONNECTION_KEYS.contains(key)) {
            throw new IllegalArgumentException("'" + key + "' is not a security or connection setting; allowed are"
                    + " security.protocol, security.providers, sasl.*, ssl.* and " + new java.util.TreeSet<>(CONNECTION_KEYS)
                    + " (each service sets its own groups, transactions and serializers)");
        }
        if (!CLIENT_CONFIG.configKeys().containsKey(key)) {
            throw new IllegalArgumentException("'" + key + "' is not a Kafka client setting (a typo?)");
        }
        if (key.equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG)
                && !SecurityProtocol.names().contains(value.toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException(key + " must be one of " + SecurityProtocol.names() + ", got '" + value + "'");
        }
        if (STORE_LOCATIONS.contains(key) && !Files.isReadable(Path.of(value))) {
            throw new IllegalArgumentException(key + " names " + value + ", which is not a readable file");
        }
    }

    /** Kafka's own parsing of every value, and SASL settings only where the protocol uses them. */
    private static void checkTogether(Map<String, String> properties) {
        Map<String, Object> parsed = new HashMap<>(properties);
        parsed.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092"); // required by the definition
        try {
            CLIENT_CONFIG.parse(parsed);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        String protocol = properties.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")
                .toUpperCase(Locale.ROOT);
        if (!protocol.startsWith("SASL_")) {
            properties.keySet().stream().filter(k -> k.startsWith("sasl.")).findFirst().ifPresent(k -> {
                throw new IllegalArgumentException(k + " is set but security.protocol is " + protocol
                        + ", which does not use SASL: set security.protocol=SASL_SSL (or SASL_PLAINTEXT)");
            });
        }
    }
}
