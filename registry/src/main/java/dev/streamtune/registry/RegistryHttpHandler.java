package dev.streamtune.registry;

import dev.streamtune.schemas.serde.RegistryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtune.http.BasicCredentials;
import dev.streamtune.http.ErrorRenderer;
import dev.streamtune.http.HttpHandler;
import dev.streamtune.http.HttpRequest;
import dev.streamtune.http.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Confluent Schema Registry REST API subset that serializers and clients use, mapped onto
 * {@link SchemaRegistry}. Errors carry Confluent's body {@code {"error_code":N,"message":"..."}}.
 *
 * <p>Departures from Confluent, each deliberate: {@code GET /config/{subject}} answers the global
 * level for a subject without its own (Confluent's {@code defaultToGlobal=true}) instead of 40408;
 * deleting subjects or versions is not offered (405), so ids and versions only ever grow.
 *
 * <p>With write credentials configured, requests that change state (registering, setting a
 * compatibility level, any DELETE) need them as HTTP basic auth, as Confluent's
 * {@code authentication.method=BASIC} does; everything that only reads, the lookup and
 * compatibility POSTs included, stays open so that deserializers need no secret.
 */
final class RegistryHttpHandler implements HttpHandler {

    static final String REGISTRY_JSON = "application/vnd.schemaregistry.v1+json";
    static final String PLAIN_JSON = "application/json";
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);
    private static final List<String> ACCEPTED_REQUEST_TYPES = List.of(REGISTRY_JSON,
            "application/vnd.schemaregistry+json", PLAIN_JSON, "application/octet-stream");

    /** Errors in Confluent's body, for the ones the HTTP server makes itself (413, 408, 431, ...). */
    static final ErrorRenderer CONFLUENT_ERRORS = (status, message) -> errorResponse(status, status, message);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaRegistry registry;
    private final Optional<BasicCredentials> writeCredentials;
    private final ObjectMapper json = JSON;

    RegistryHttpHandler(SchemaRegistry registry, Optional<BasicCredentials> writeCredentials) {
        this.registry = registry;
        this.writeCredentials = writeCredentials;
    }

    @Override
    public HttpResponse handle(HttpRequest exchange) {
        Response response;
        String method = exchange.method().toUpperCase(Locale.ROOT);
        try {
            List<String> path = segments(exchange);
            if (changesState(method, path)) {
                authorize(exchange);
            }
            response = route(method, path, exchange);
        } catch (RegistryException e) {
            response = error(e.httpStatus(), e.errorCode(), e.getMessage());
            if (e.httpStatus() >= 500) {
                LOG.error("{} {} failed: {}", exchange.method(), exchange.rawPath(), e.getMessage(), e.getCause());
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("{} {} failed", exchange.method(), exchange.rawPath(), e);
            response = error(500, 50001, "Internal error: " + e);
        }
        HttpResponse answer = HttpResponse.of(response.status(), responseType(exchange), response.body());
        return response.status() == 401
                ? answer.withHeader("WWW-Authenticate", "Basic realm=\"streamtune-registry\", charset=\"UTF-8\"")
                : answer;
    }

    /** Registering, setting a level and deleting; lookups and compatibility checks only read. */
    private static boolean changesState(String method, List<String> path) {
        if (method.equals("PUT") || method.equals("DELETE")) {
            return true;
        }
        return method.equals("POST") && path.size() == 3 && path.get(0).equals("subjects")
                && path.get(2).equals("versions");
    }

    private void authorize(HttpRequest exchange) {
        if (writeCredentials.isEmpty()) {
            return;
        }
        Optional<String> given = exchange.header("Authorization");
        if (given.isEmpty()) {
            throw RegistryErrors.unauthorized("Unauthorized: " + exchange.method() + " changes the registry and"
                    + " needs basic-auth credentials (basic.auth.user.info)");
        }
        if (!writeCredentials.get().matches(given.get())) {
            throw RegistryErrors.unauthorized("Unauthorized: the credentials given are not the registry's");
        }
    }

    /** Every route in one place; {@code path} holds the decoded path segments. */
    private Response route(String method, List<String> path, HttpRequest exchange) throws IOException {
        int n = path.size();
        if (n == 0) {
            return only(method, "GET") ? ok(Map.of()) : notAllowed(method);
        }
        switch (path.get(0)) {
            case "health":
                if (n == 1 && only(method, "GET")) {
                    return ok(Map.of("status", "UP", "subjects", registry.subjects().size()));
                }
                break;
            case "subjects":
                if (n == 1 && only(method, "GET")) {
                    return ok(registry.subjects());
                }
                if (n == 2 && only(method, "POST")) {
                    JsonNode body = body(exchange);
                    return ok(versionBody(registry.lookup(path.get(1), text(body, "schema"), text(body, "schemaType"),
                            hasReferences(body))));
                }
                if (n == 3 && path.get(2).equals("versions")) {
                    if (only(method, "GET")) {
                        return ok(registry.versionNumbers(path.get(1)));
                    }
                    if (only(method, "POST")) {
                        JsonNode body = body(exchange);
                        int id = registry.register(path.get(1), text(body, "schema"), text(body, "schemaType"),
                                hasReferences(body));
                        return ok(Map.of("id", id));
                    }
                    return notAllowed(method);
                }
                if (n == 4 && path.get(2).equals("versions") && only(method, "GET")) {
                    return ok(versionBody(registry.version(path.get(1), path.get(3))));
                }
                if (n == 5 && path.get(2).equals("versions") && path.get(4).equals("schema") && only(method, "GET")) {
                    return new Response(200, registry.version(path.get(1), path.get(3)).schema()
                            .getBytes(StandardCharsets.UTF_8));
                }
                break;
            case "schemas":
                if (n >= 3 && path.get(1).equals("ids") && only(method, "GET")) {
                    int id = parseId(path.get(2));
                    if (n == 3) {
                        return ok(Map.of("schema", registry.schemaById(id)));
                    }
                    if (n == 4 && path.get(3).equals("schema")) {
                        return new Response(200, registry.schemaById(id).getBytes(StandardCharsets.UTF_8));
                    }
                }
                if (n == 2 && path.get(1).equals("types") && only(method, "GET")) {
                    return ok(List.of(SchemaRegistry.AVRO));
                }
                break;
            case "compatibility":
                if (n == 5 && path.get(1).equals("subjects") && path.get(3).equals("versions")
                        && only(method, "POST")) {
                    JsonNode body = body(exchange);
                    List<String> problems = registry.compatibilityProblems(path.get(2), path.get(4),
                            text(body, "schema"), text(body, "schemaType"), hasReferences(body));
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("is_compatible", problems.isEmpty());
                    if (!problems.isEmpty() && exchange.queryFlag("verbose")) {
                        result.put("messages", problems);
                    }
                    return ok(result);
                }
                break;
            case "config":
                if (n > 2) {
                    break;
                }
                Optional<String> subject = n == 2 ? Optional.of(path.get(1)) : Optional.empty();
                if (only(method, "GET")) {
                    CompatibilityLevel level = subject.map(registry::subjectLevel).orElseGet(registry::globalLevel);
                    return ok(Map.of("compatibilityLevel", level.name()));
                }
                if (only(method, "PUT")) {
                    JsonNode body = body(exchange);
                    CompatibilityLevel level = CompatibilityLevel.parse(text(body, "compatibility"));
                    return ok(Map.of("compatibility", registry.setLevel(subject, level).name()));
                }
                return notAllowed(method);
            default:
                break;
        }
        return error(404, 404, "HTTP 404 Not Found: no route for " + method + " " + exchange.path());
    }

    private static Map<String, Object> versionBody(RegisteredSchema schema) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subject", schema.subject());
        body.put("version", schema.version());
        body.put("id", schema.id());
        body.put("schema", schema.schema());
        return body;
    }

    private JsonNode body(HttpRequest exchange) throws IOException {
        String contentType = exchange.header("Content-Type").orElse(null);
        if (contentType != null && !contentType.isBlank()) {
            String mediaType = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
            if (!ACCEPTED_REQUEST_TYPES.contains(mediaType)) {
                throw new RegistryException(415, 415, "Unsupported Content-Type " + contentType
                        + "; use one of " + ACCEPTED_REQUEST_TYPES);
            }
        }
        // the HTTP server already refused a body over its maxBodyBytes with 413
        byte[] bytes = exchange.body();
        if (bytes.length == 0) {
            throw RegistryErrors.badRequest("Request body is empty; expected a JSON object");
        }
        try {
            JsonNode node = json.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw RegistryErrors.badRequest("Request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw RegistryErrors.badRequest("Request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static boolean hasReferences(JsonNode body) {
        JsonNode references = body.get("references");
        return references != null && references.isArray() && !references.isEmpty();
    }

    private static int parseId(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw RegistryErrors.schemaNotFound("Schema " + text + " not found (ids are integers)");
        }
    }

    private static boolean only(String method, String expected) {
        return method.equals(expected);
    }

    /**
     * Path segments, each percent-decoded, so a subject may contain '/' or spaces when encoded. Empty
     * segments are kept ({@code /subjects//versions} names an empty subject, which is refused), but
     * one trailing slash is ignored.
     */
    private static List<String> segments(HttpRequest exchange) {
        String raw = exchange.rawPath();
        raw = raw.startsWith("/") ? raw.substring(1) : raw;
        raw = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
        List<String> segments = new ArrayList<>();
        if (raw.isEmpty()) {
            return segments;
        }
        for (String segment : raw.split("/", -1)) {
            segments.add(HttpRequest.percentDecode(segment));
        }
        return segments;
    }

    private Response ok(Object body) throws JsonProcessingException {
        return new Response(200, json.writeValueAsBytes(body));
    }

    private Response error(int status, int code, String message) {
        return new Response(status, errorBody(code, message));
    }

    private static HttpResponse errorResponse(int status, int code, String message) {
        return HttpResponse.of(status, REGISTRY_JSON, errorBody(code, message));
    }

    private static byte[] errorBody(int code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error_code", code);
        body.put("message", message);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot render an error body", e);
        }
    }

    private Response notAllowed(String method) {
        return error(405, 405, "HTTP 405 Method " + method + " Not Allowed");
    }

    /** Confluent's media type unless the client accepts only plain JSON. */
    private static String responseType(HttpRequest exchange) {
        String accept = exchange.header("Accept").orElse(null);
        if (accept != null && accept.contains(PLAIN_JSON) && !accept.contains("schemaregistry")) {
            return PLAIN_JSON;
        }
        return REGISTRY_JSON;
    }

    private record Response(int status, byte[] body) {
    }
}
