package dev.streamtune.registry;

import dev.streamtune.schemas.serde.RegistryException;
/**
 * Where registry state lives. Writes are durable before they are visible: {@link #append} returns
 * once the record is stored and applied to {@link #state()}.
 */
public interface SchemaStore extends AutoCloseable {

    /** The current state, readable from any thread. */
    RegistryState state();

    /**
     * Stores the record durably, then applies it to {@link #state()}.
     *
     * @throws RegistryException with code {@value RegistryException#STORE_ERROR} when it cannot be stored
     */
    void append(RegistryRecord record);

    /** Releases resources; the default holds none. */
    @Override
    default void close() {
    }
}
