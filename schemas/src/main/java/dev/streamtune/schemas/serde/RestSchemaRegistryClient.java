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
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> baseUris;
    private final HttpClient http;
    private final Duration timeout;
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idBySubjectAndSchema = new ConcurrentHashMap<>();

    public RestSchemaRegistryClient(String urls) {
        this(urls, Duration.ofSeconds(10));
    }

    public RestSchemaRegistryClient(String urls, Duration timeout) {
        List<URI> parsed = new ArrayList<>();
        for (String u : urls.split(",")) {
            String trimmed = u.trim();
            if (!trimmed.isEmpty()) {
                if (!trimmed.startsWith("http://") && !trimmed.startsWith("https://")) {
                    throw new IllegalArgumentException("schema.registry.url '" + trimmed
                            + "' must start with http:// or https://");
                }
                parsed.add(URI.create(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed));
            }
        }
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException("schema.registry.url names no URL");
        }
        this.baseUris = List.copyOf(parsed);
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

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, String body) {
        RegistryException unreachable = null;
        for (URI base : baseUris) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(timeout)
                    .header("Accept", CONTENT_TYPE + ", application/json");
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
