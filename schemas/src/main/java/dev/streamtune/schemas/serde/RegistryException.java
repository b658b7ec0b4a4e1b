package dev.streamtune.schemas.serde;

/**
 * An error answered by a schema registry, with Confluent's error code (e.g. 40403 schema not
 * found, 409 incompatible, 42201 invalid schema) and the HTTP status; or a failure to reach it
 * (error code 0). The one type for both sides of the protocol: our registry server throws it
 * (built by {@code dev.streamtune.registry.RegistryErrors}) and renders its code, and our client
 * raises it from the code it reads, so the two cannot drift.
 */
public class RegistryException extends RuntimeException {
    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int INCOMPATIBLE = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    /** Confluent's code for a refusal by policy (read-only mode there; a count limit here). */
    public static final int OPERATION_NOT_PERMITTED = 42205;
    public static final int INVALID_SUBJECT = 42208;
    public static final int SCHEMA_TOO_LARGE = 42209;
    public static final int UNAUTHORIZED = 401;
    public static final int STORE_ERROR = 50001;

    private final int errorCode;
    private final int httpStatus;

    public RegistryException(int httpStatus, int errorCode, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = 0;
        this.errorCode = 0;
    }

    /**
     * Whether {@code e} or one of its causes is a registry failure that says nothing about the record being read
     * (the registry is down, slow or erroring), as opposed to the record's own fault: its schema id does not exist.
     * A reader retries the first and may skip or dead-letter the second.
     */
    public static boolean isOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RegistryException r) {
                return r.errorCode() != SCHEMA_NOT_FOUND && r.httpStatus() != 404;
            }
        }
        return false;
    }

    public int errorCode() {
        return errorCode;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
