package dev.streamtune.registry;

/**
 * A request the registry refuses, with Confluent's HTTP status and error code, so clients that
 * branch on {@code error_code} (Confluent's own among them) behave as they do against Confluent.
 */
public final class RegistryException extends RuntimeException {

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    public static final int INVALID_SUBJECT = 42208;
    /** Confluent's code for a refusal by policy (read-only mode there; a count limit here). */
    public static final int OPERATION_NOT_PERMITTED = 42205;
    public static final int SCHEMA_TOO_LARGE = 42209;
    public static final int UNAUTHORIZED = 401;
    public static final int STORE_ERROR = 50001;

    private final int httpStatus;
    private final int errorCode;

    public RegistryException(int httpStatus, int errorCode, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int errorCode() {
        return errorCode;
    }

    public static RegistryException subjectNotFound(String subject) {
        return new RegistryException(404, SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    public static RegistryException versionNotFound(String subject, int version) {
        return new RegistryException(404, VERSION_NOT_FOUND,
                "Version " + version + " not found for subject '" + subject + "'.");
    }

    public static RegistryException schemaNotFound(String message) {
        return new RegistryException(404, SCHEMA_NOT_FOUND, message);
    }

    public static RegistryException incompatible(String message) {
        return new RegistryException(409, INCOMPATIBLE_SCHEMA, message);
    }

    public static RegistryException invalidSchema(String message) {
        return new RegistryException(422, INVALID_SCHEMA, message);
    }

    public static RegistryException invalidVersion(String version) {
        return new RegistryException(422, INVALID_VERSION, "The specified version '" + version
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    public static RegistryException invalidCompatibilityLevel(String message) {
        return new RegistryException(422, INVALID_COMPATIBILITY_LEVEL, message);
    }

    public static RegistryException invalidSubject(String subject) {
        return new RegistryException(422, INVALID_SUBJECT, "Invalid subject '" + subject
                + "': a subject must be non-blank and at most " + SchemaRegistry.MAX_SUBJECT_LENGTH + " characters");
    }

    public static RegistryException schemaTooLarge(int bytes, int limit) {
        return new RegistryException(422, SCHEMA_TOO_LARGE, "Schema too large: " + bytes
                + " bytes exceeds the limit of " + limit + " bytes (maxSchemaBytes)");
    }

    /** A count limit reached: {@code what} names the limit, e.g. {@code maxSubjects}. */
    public static RegistryException limitReached(String message, String limitName, int limit) {
        return new RegistryException(422, OPERATION_NOT_PERMITTED, message + ": the limit is " + limit
                + " (" + limitName + ")");
    }

    public static RegistryException unauthorized(String message) {
        return new RegistryException(401, UNAUTHORIZED, message);
    }

    public static RegistryException badRequest(String message) {
        return new RegistryException(400, 400, message);
    }

    public static RegistryException storeError(String message, Throwable cause) {
        RegistryException error = new RegistryException(500, STORE_ERROR, message);
        error.initCause(cause);
        return error;
    }
}
