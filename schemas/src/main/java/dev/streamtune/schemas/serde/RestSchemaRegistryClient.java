package dev.streamtune.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A client of the Confluent Schema Registry REST API (Confluent, Apicurio's compatible API,
 * Karapace, Redpanda, or Streamtune's own registry). Ids and registrations are cached, so each
 * schema costs one request per process. With several URLs it fails over in order.
 *
 * <p>A URL may carry {@code user:password@} (Confluent's {@code basic.auth.credentials.source=URL}):
 * it is sent as HTTP basic auth and kept out of every message and log line.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> baseUris;
    /** The basic-auth header for each base URI, by position; null where the URL had no user info. */
    private final List<String> authorizations;
    private final HttpClient http;
    private final Duration timeout;
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idBySubjectAndSchema = new ConcurrentHashMap<>();

    public RestSchemaRegistryClient(String urls) {
        this(urls, Duration.ofSeconds(10));
    }

    public RestSchemaRegistryClient(String urls, Duration timeout) {
        List<URI> parsed = new ArrayList<>();
        List<String> auth = new ArrayList<>();
        for (String u : urls.split(",")) {
            String trimmed = u.trim();
            if (!trimmed.isEmpty()) {
                if (!trimmed.startsWith("http://") && !trimmed.startsWith("https://")) {
                    throw new IllegalArgumentException("schema.registry.url '" + withoutUserInfo(trimmed)
                            + "' must start with http:// or https://");
                }
                URI uri = URI.create(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
                String userInfo = uri.getRawUserInfo();
                auth.add(userInfo == null ? null : "Basic " + java.util.Base64.getEncoder().encodeToString(
                        java.net.URLDecoder.decode(userInfo.replace("+", "%2B"), StandardCharsets.UTF_8)
                                .getBytes(StandardCharsets.UTF_8)));
                parsed.add(userInfo == null ? uri : URI.create(withoutUserInfo(uri.toString())));
            }
        }
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException("schema.registry.url names no URL");
        }
        this.baseUris = List.copyOf(parsed);
        this.authorizations = java.util.Collections.unmodifiableList(auth);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public int register(String subject, Schema schema) {
        Map<Schema, Integer> cache = idBySubjectAndSchema.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = cache.get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode reply = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        int id = reply.path("id").asInt();
        cache.put(schema, id);
        schemaById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public int getId(String subject, Schema schema) {
        Map<Schema, Integer> cache = idBySubjectAndSchema.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = cache.get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode reply = send("POST", "/subjects/" + encode(subject), schemaBody(schema));
        int id = reply.path("id").asInt();
        cache.put(schema, id);
        schemaById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public Schema getById(int id) {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode reply = send("GET", "/schemas/ids/" + id, null);
        Schema schema = parse(reply.path("schema").asText(), "schema id " + id);
        schemaById.put(id, schema);
        return schema;
    }

    @Override
    public RegisteredSchema getLatest(String subject) {
        JsonNode reply = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null);
        int id = reply.path("id").asInt();
        Schema schema = parse(reply.path("schema").asText(), "latest version of " + subject);
        schemaById.putIfAbsent(id, schema);
        return new RegisteredSchema(subject, id, reply.path("version").asInt(), schema);
    }

    private static Schema parse(String text, String what) {
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new RegistryException(200, RegistryException.INVALID_SCHEMA,
                    "the registry returned an unparseable schema for " + what + ": " + e.getMessage());
        }
    }

    private static String schemaBody(Schema schema) {
        ObjectNode body = JSON.createObjectNode();
        body.put("schema", schema.toString());
        body.put("schemaType", "AVRO");
        return body.toString();
    }

    /** {@code http://user:pw@host:port} without {@code user:pw@}. */
    private static String withoutUserInfo(String url) {
        int scheme = url.indexOf("://");
        int at = url.indexOf('@');
        int slash = url.indexOf('/', scheme + 3);
        if (scheme < 0 || at < 0 || (slash >= 0 && at > slash)) {
            return url;
        }
        return url.substring(0, scheme + 3) + url.substring(at + 1);
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, String body) {
        RegistryException unreachable = null;
        for (int i = 0; i < baseUris.size(); i++) {
            URI base = baseUris.get(i);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(timeout)
                    .header("Accept", CONTENT_TYPE + ", application/json");
            if (authorizations.get(i) != null) {
                request.header("Authorization", authorizations.get(i));
            }
            if (body != null) {
                request.header("Content-Type", CONTENT_TYPE)
                        .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                unreachable = new RegistryException("schema registry at " + base + " is unreachable: " + e, e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted while calling the schema registry at " + base, e);
            }
            JsonNode json;
            try {
                json = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
            } catch (IOException e) {
                throw new RegistryException(response.statusCode(), 0, "schema registry at " + base + " answered "
                        + method + " " + path + " with non-JSON (HTTP " + response.statusCode() + ")");
            }
            if (response.statusCode() / 100 != 2) {
                throw new RegistryException(response.statusCode(), json.path("error_code").asInt(response.statusCode()),
                        json.path("message").asText("HTTP " + response.statusCode()) + " (" + method + " " + path + ")");
            }
            return json;
        }
        throw unreachable;
    }
}
