package dev.streamtune.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * One user and password for HTTP basic authentication (RFC 7617), given as {@code user:password}
 * like Confluent's {@code basic.auth.user.info}. {@link #toString()} never shows the password.
 */
public final class BasicCredentials {

    private final String user;
    private final String password;
    private final byte[] expectedToken;

    private BasicCredentials(String user, String password) {
        this.user = user;
        this.password = password;
        this.expectedToken = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Parses {@code user:password} (the password may contain ':'), refusing an empty user, a
     * password under 8 characters and control characters, naming {@code source} in the error.
     */
    public static BasicCredentials parse(String userInfo, String source) {
        if (userInfo == null) {
            throw new IllegalArgumentException(source + ": expected user:password, found nothing");
        }
        String text = userInfo.strip();
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(source + ": expected user:password with a non-empty user");
        }
        String user = text.substring(0, colon);
        String password = text.substring(colon + 1);
        if (password.length() < 8) {
            throw new IllegalArgumentException(source + ": the password must be at least 8 characters, was "
                    + password.length());
        }
        if (text.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(source + ": user:password must not contain control characters");
        }
        return new BasicCredentials(user, password);
    }

    /** The first line of {@code file}, as {@code user:password}. */
    public static BasicCredentials fromFile(Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read credentials from " + file + ": " + e.getMessage(), e);
        }
        String firstLine = content.lines().findFirst().orElse("");
        return parse(firstLine, file.toString());
    }

    /**
     * Credentials from a file if one is named, else from the environment variable {@code variable}
     * holding {@code user:password}, else none.
     */
    public static Optional<BasicCredentials> fromFileOrEnv(Path file, String variable, Map<String, String> env) {
        if (file != null) {
            return Optional.of(fromFile(file));
        }
        String value = env.get(variable);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(parse(value, variable));
    }

    public String user() {
        return user;
    }

    /**
     * Whether an {@code Authorization} header value carries exactly these credentials (the scheme in
     * any case, the token compared in constant time).
     */
    public boolean matches(String authorizationHeader) {
        if (authorizationHeader == null) {
            return false;
        }
        String header = authorizationHeader.strip();
        int space = header.indexOf(' ');
        if (space < 0 || !header.substring(0, space).equalsIgnoreCase("Basic")) {
            return false;
        }
        byte[] given = header.substring(space + 1).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, expectedToken);
    }

    /**
     * {@code user:password}, each percent-encoded, for a client URL {@code http://user:password@host}
     * (Confluent's {@code basic.auth.credentials.source=URL}); a URL with it must never be printed.
     */
    public String urlUserInfo() {
        return encode(user) + ":" + encode(password);
    }

    private static String encode(String part) {
        return java.net.URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return user + ":****";
    }
}
