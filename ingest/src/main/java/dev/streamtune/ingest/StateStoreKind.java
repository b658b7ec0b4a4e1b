package dev.streamtune.ingest;

/**
 * Where ingest keeps its dedupe and task-registry state. Both kinds are backed by a changelog
 * topic, so either survives a crash; they differ in what a restart costs and how much fits.
 */
public enum StateStoreKind {
    /** RocksDB on local disk: state larger than memory, and a restart reuses it (the default). */
    ROCKSDB,
    /**
     * On the heap, rebuilt from the changelog on every start. For small deployments and for
     * TopologyTestDriver tests, where RocksDB's flush on every commit dominates the run time.
     */
    IN_MEMORY
}
