package dev.streamtune.schemas.serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes the registry client a config names: {@code mock://scope} gives the in-process registry of
 * that scope (shared by every serde configured with the same URL, as Confluent's mock URLs are),
 * anything else a caching REST client.
 */
public final class SchemaRegistryClients {
    private static final String MOCK_PREFIX = "mock://";
    private static final Map<String, InMemorySchemaRegistryClient> MOCK_SCOPES = new ConcurrentHashMap<>();

    private SchemaRegistryClients() {}

    public static SchemaRegistryClient create(AvroSerdeConfig config) {
        String url = config.registryUrl().trim();
        if (url.startsWith(MOCK_PREFIX)) {
            return MOCK_SCOPES.computeIfAbsent(url.substring(MOCK_PREFIX.length()),
                    scope -> new InMemorySchemaRegistryClient());
        }
        return new RestSchemaRegistryClient(url);
    }

    /** Forgets a mock scope, so the next test starts from an empty registry. */
    public static void dropMockScope(String url) {
        MOCK_SCOPES.remove(url.startsWith(MOCK_PREFIX) ? url.substring(MOCK_PREFIX.length()) : url);
    }
}
