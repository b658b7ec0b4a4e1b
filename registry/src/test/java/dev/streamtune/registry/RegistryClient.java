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

    /**
     * A POST that declares a body of {@code declaredBytes} in its Content-Length and sends none of it, over a
     * raw socket: how a test sees the server refuse a body by its declared length (413) before reading it,
     * without racing the server's close of the connection against a client still writing the body (JDK 17's
     * HttpClient also hangs on {@code Expect: 100-continue} answered with an error, JDK-8286171).
     */
    Reply postDeclaringLength(String path, long declaredBytes) {
        URI uri = URI.create(baseUrl + path);
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            String head = "POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: " + declaredBytes
                    + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            String reply = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int headEnd = reply.indexOf("\r\n\r\n");
            if (!reply.startsWith("HTTP/1.1 ") || headEnd < 0) {
                throw new AssertionError("Not an HTTP reply: " + reply);
            }
            int status = Integer.parseInt(reply.substring(9, 12));
            String contentType = reply.substring(0, headEnd).lines()
                    .filter(l -> l.regionMatches(true, 0, "Content-Type:", 0, 13))
                    .map(l -> l.substring(13).trim()).findFirst().orElse("");
            String body = reply.substring(headEnd + 4);
            boolean chunked = reply.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked");
            return new Reply(status, contentType, chunked ? dechunk(body) : body);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).trim().split(";")[0], 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
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
