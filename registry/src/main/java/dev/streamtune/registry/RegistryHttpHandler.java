package dev.streamtune.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
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
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Confluent Schema Registry REST API subset that serializers and clients use, mapped onto
 * {@link SchemaRegistry}. Errors carry Confluent's body {@code {"error_code":N,"message":"..."}}.
 *
 * <p>Departures from Confluent, each deliberate: {@code GET /config/{subject}} answers the global
 * level for a subject without its own (Confluent's {@code defaultToGlobal=true}) instead of 40408;
 * deleting subjects or versions is not offered (405), so ids and versions only ever grow.
 */
final class RegistryHttpHandler implements HttpHandler {

    static final String REGISTRY_JSON = "application/vnd.schemaregistry.v1+json";
    static final String PLAIN_JSON = "application/json";
    /** A schema registration is a few KB; anything near this is a mistake or an attack. */
    static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);
    private static final List<String> ACCEPTED_REQUEST_TYPES = List.of(REGISTRY_JSON,
            "application/vnd.schemaregistry+json", PLAIN_JSON, "application/octet-stream");

    private final SchemaRegistry registry;
    private final ObjectMapper json = new ObjectMapper();

    RegistryHttpHandler(SchemaRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Response response;
            try {
                response = route(exchange.getRequestMethod().toUpperCase(Locale.ROOT), segments(exchange), exchange);
            } catch (RegistryException e) {
                response = error(e.httpStatus(), e.errorCode(), e.getMessage());
                if (e.httpStatus() >= 500) {
                    LOG.error("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(),
                            e.getMessage(), e.getCause());
                }
            } catch (RuntimeException e) {
                LOG.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                response = error(500, 50001, "Internal error: " + e);
            }
            send(exchange, response);
        }
    }

    /** Every route in one place; {@code path} holds the decoded path segments. */
    private Response route(String method, List<String> path, HttpExchange exchange) throws IOException {
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
                    if (!problems.isEmpty() && isTrue(exchange, "verbose")) {
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
        return error(404, 404, "HTTP 404 Not Found: no route for " + method + " " + exchange.getRequestURI().getPath());
    }

    private static Map<String, Object> versionBody(RegisteredSchema schema) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subject", schema.subject());
        body.put("version", schema.version());
        body.put("id", schema.id());
        body.put("schema", schema.schema());
        return body;
    }

    private JsonNode body(HttpExchange exchange) throws IOException {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null && !contentType.isBlank()) {
            String mediaType = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
            if (!ACCEPTED_REQUEST_TYPES.contains(mediaType)) {
                throw new RegistryException(415, 415, "Unsupported Content-Type " + contentType
                        + "; use one of " + ACCEPTED_REQUEST_TYPES);
            }
        }
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new RegistryException(413, 413, "Request body exceeds " + MAX_BODY_BYTES + " bytes");
        }
        if (bytes.length == 0) {
            throw RegistryException.badRequest("Request body is empty; expected a JSON object");
        }
        try {
            JsonNode node = json.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw RegistryException.badRequest("Request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw RegistryException.badRequest("Request body is not valid JSON: " + e.getOriginalMessage());
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
            throw RegistryException.schemaNotFound("Schema " + text + " not found (ids are integers)");
        }
    }

    private static boolean only(String method, String expected) {
        return method.equals(expected);
    }

    private static boolean isTrue(HttpExchange exchange, String parameter) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return false;
        }
        for (String pair : query.split("&")) {
            if (pair.equalsIgnoreCase(parameter + "=true")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Path segments, each percent-decoded, so a subject may contain '/' or spaces when encoded. Empty
     * segments are kept ({@code /subjects//versions} names an empty subject, which is refused), but
     * one trailing slash is ignored.
     */
    private static List<String> segments(HttpExchange exchange) {
        String raw = exchange.getRequestURI().getRawPath();
        raw = raw.startsWith("/") ? raw.substring(1) : raw;
        raw = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
        List<String> segments = new ArrayList<>();
        if (raw.isEmpty()) {
            return segments;
        }
        for (String segment : raw.split("/", -1)) {
            segments.add(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8));
        }
        return segments;
    }

    private Response ok(Object body) throws JsonProcessingException {
        return new Response(200, json.writeValueAsBytes(body));
    }

    private Response error(int status, int code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error_code", code);
        body.put("message", message);
        try {
            return new Response(status, json.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot render an error body", e);
        }
    }

    private Response notAllowed(String method) {
        return error(405, 405, "HTTP 405 Method " + method + " Not Allowed");
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", responseType(exchange));
        exchange.sendResponseHeaders(response.status(), response.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(response.body());
        }
    }

    /** Confluent's media type unless the client accepts only plain JSON. */
    private static String responseType(HttpExchange exchange) {
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        if (accept != null && accept.contains(PLAIN_JSON) && !accept.contains("schemaregistry")) {
            return PLAIN_JSON;
        }
        return REGISTRY_JSON;
    }

    private record Response(int status, byte[] body) {
    }
}
