package dev.streamtune.registry;

import dev.streamtune.schemas.serde.RegistryException;

/**
 * The refusals our registry answers, each with Confluent's HTTP status, error code and message, so
 * clients that branch on {@code error_code} (Confluent's own among them) behave as they do against
 * Confluent. They are {@link RegistryException}s, the type our client raises from the same codes.
 */
public final class RegistryErrors {
    private RegistryErrors() {
    }

    public static RegistryException subjectNotFound(String subject) {
        return new RegistryException(404, RegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    public static RegistryException versionNotFound(String subject, int version) {
        return new RegistryException(404, RegistryException.VERSION_NOT_FOUND,
                "Version " + version + " not found for subject '" + subject + "'.");
    }

    public static RegistryException schemaNotFound(String message) {
        return new RegistryException(404, RegistryException.SCHEMA_NOT_FOUND, message);
    }

    public static RegistryException incompatible(String message) {
        return new RegistryException(409, RegistryException.INCOMPATIBLE, message);
    }

    public static RegistryException invalidSchema(String message) {
        return new RegistryException(422, RegistryException.INVALID_SCHEMA, message);
    }

    public static RegistryException invalidVersion(String version) {
        return new RegistryException(422, RegistryException.INVALID_VERSION, "The specified version '" + version
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    public static RegistryException invalidCompatibilityLevel(String message) {
        return new RegistryException(422, RegistryException.INVALID_COMPATIBILITY_LEVEL, message);
    }

    public static RegistryException invalidSubject(String subject) {
        return new RegistryException(422, RegistryException.INVALID_SUBJECT, "Invalid subject '" + subject
                + "': a subject must be non-blank and at most " + SchemaRegistry.MAX_SUBJECT_LENGTH + " characters");
    }

    public static RegistryException schemaTooLarge(int bytes, int limit) {
        return new RegistryException(422, RegistryException.SCHEMA_TOO_LARGE, "Schema too large: " + bytes
                + " bytes exceeds the limit of " + limit + " bytes (maxSchemaBytes)");
    }

    /** A count limit reached: {@code what} names the limit, e.g. {@code maxSubjects}. */
    public static RegistryException limitReached(String message, String limitName, int limit) {
        return new RegistryException(422, RegistryException.OPERATION_NOT_PERMITTED, message + ": the limit is " + limit
                + " (" + limitName + ")");
    }

    public static RegistryException unauthorized(String message) {
        return new RegistryException(401, RegistryException.UNAUTHORIZED, message);
    }

    public static RegistryException badRequest(String message) {
        return new RegistryException(400, 400, message);
    }

    public static RegistryException storeError(String message, Throwable cause) {
        RegistryException error = new RegistryException(500, RegistryException.STORE_ERROR, message);
        error.initCause(cause);
        return error;
    }
}
