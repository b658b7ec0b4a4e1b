package dev.streamtune.registry;

/** State kept only in memory: for unit tests; a restart forgets everything. */
public final class InMemorySchemaStore implements SchemaStore {

    private final RegistryState state = new RegistryState();

    @Override
    public RegistryState state() {
        return state;
    }

    @Override
    public void append(RegistryRecord record) {
        state.apply(record);
    }
}
