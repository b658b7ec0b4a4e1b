package dev.streamtune.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A whole response: status, content type, extra headers and body. The server adds
 * {@code Content-Length}; a handler never streams (event streams are {@link EventStreams}).
 */
public record HttpResponse(int status, String contentType, Map<String, String> headers, byte[] body) {

    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String JSON = "application/json";

    public HttpResponse {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be between 100 and 599, was " + status);
        }
        Objects.requireNonNull(contentType, "contentType");
        headers = Map.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }

    public static HttpResponse of(int status, String contentType, byte[] body) {
        return new HttpResponse(status, contentType, Map.of(), body);
    }

    public static HttpResponse text(int status, String text) {
        return of(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    public static HttpResponse json(int status, byte[] json) {
        return of(status, JSON, json);
    }

    /** This response with one more header (or that header replaced). */
    public HttpResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpResponse(status, contentType, more, body);
    }

    public HttpResponse withContentType(String type) {
        return new HttpResponse(status, type, headers, body);
    }

    /** The body as UTF-8 text, for logs and tests. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
