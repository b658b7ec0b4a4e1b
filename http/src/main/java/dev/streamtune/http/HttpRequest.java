package dev.streamtune.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One request, read whole before a handler sees it (so a slow client never holds a handler thread).
 *
 * @param method   upper case, e.g. {@code GET}
 * @param rawPath  the path as sent, still percent-encoded, e.g. {@code /subjects/a%2Fb/versions}
 * @param rawQuery the query as sent, without {@code ?}; empty when there is none
 * @param headers  header names in lower case, each with its values in order
 * @param body     the body, at most {@link HttpServerConfig#maxBodyBytes()} bytes
 */
public record HttpRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers,
        byte[] body) {

    public HttpRequest {
        headers = Map.copyOf(headers);
    }

    /** The first value of a header, matched without regard to case. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /**
     * The path with percent-escapes decoded as UTF-8 and nothing else changed: no dot segments
     * removed, {@code +} kept, so a handler sees exactly what was asked for.
     */
    public String path() {
        return percentDecode(rawPath);
    }

    /** Whether the query holds {@code name=true} (any case of the value). */
    public boolean queryFlag(String name) {
        for (String pair : rawQuery.split("&")) {
            if (pair.equalsIgnoreCase(name + "=true")) {
                return true;
            }
        }
        return false;
    }

    /** Percent-decodes {@code text} as UTF-8, leaving {@code +} and malformed escapes as they are. */
    public static String percentDecode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int hi = i + 2 < bytes.length && bytes[i] == '%' ? Character.digit(bytes[i + 1], 16) : -1;
            int lo = hi >= 0 ? Character.digit(bytes[i + 2], 16) : -1;
            if (lo >= 0) {
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
