package dev.streamtune.registry;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A small HTTP client for tests, speaking to the registry as Confluent's clients do. */
final class RegistryClient {

    static final ObjectMapper JSON = new ObjectMapper();

    record Reply(int status, String contentType, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("Reply is not JSON: " + body, e);
            }
        }

        int errorCode() {
            return json().path("error_code").asInt();
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    RegistryClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET(), null);
    }

    Reply post(String path, Object body) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)), "POST", body);
    }

    Reply put(String path, Object body) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)), "PUT", body);
    }

    Reply send(HttpRequest.Builder request, String method, Object body) {
        try {
            String text = body instanceof String s ? s : JSON.writeValueAsString(body);
            return send(request.method(method, HttpRequest.BodyPublishers.ofString(text))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json"), null);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    Reply send(HttpRequest.Builder request, String accept) {
        try {
            request.header("Accept", accept != null ? accept
                    : "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json");
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Registers a schema, returning the reply. */
    Reply register(String subject, String schema) {
        return post("/subjects/" + subject + "/versions", Map.of("schema", schema));
    }

    int registerId(String subject, String schema) {
        Reply reply = register(subject, schema);
        if (reply.status() != 200) {
            throw new AssertionError("Registration under " + subject + " failed: " + reply);
        }
        return reply.json().get("id").asInt();
    }
}
