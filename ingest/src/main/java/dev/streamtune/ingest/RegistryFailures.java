package dev.streamtune.ingest;

import dev.streamtune.schemas.serde.RegistryException;

/**
 * Tells a record's own fault (its schema id does not exist) from the registry's (down, slow,
 * erroring). The first goes to the dead-letter topic; the second must be retried, never dead-lettered.
 */
final class RegistryFailures {
    private RegistryFailures() {}

    /** The registry error somewhere in the cause chain, or null. */
    static RegistryException registryCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RegistryException r) {
                return r;
            }
        }
        return null;
    }

    /** True when the failure came from the registry and says nothing about the record itself. */
    static boolean isTransient(Throwable e) {
        return RegistryException.isOutage(e);
    }
}
