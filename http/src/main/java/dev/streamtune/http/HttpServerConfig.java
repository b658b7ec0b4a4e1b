package dev.streamtune.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How one {@link BoundedHttpServer} listens and what it tolerates from a client. Every limit is
 * per server (the JDK server's {@code sun.net.httpserver.*} properties were process-wide).
 *
 * @param name            names the server's threads and log lines (e.g. {@code registry})
 * @param bindAddress     the interface to listen on: {@value #LOCALHOST} by default, {@code 0.0.0.0}
 *                        for every interface (containers, where the network namespace is the boundary)
 * @param port            the TCP port; 0 picks a free one, reported by {@link BoundedHttpServer#port()}
 * @param threads         threads that run handlers; connections waiting for bytes hold none
 * @param maxConnections  open connections at most; past it the server stops accepting until one closes
 * @param requestTimeout  how long a request may take to arrive, from its first byte to the end of its
 *                        body: a slower one gets 408 and its connection is closed
 * @param idleTimeout     how long a connection may stay silent (no byte in or out) before it is closed
 * @param writeTimeout    how long one response (or one server-sent event) may take to be accepted by
 *                        the client; a client that does not read is cut off after it
 * @param maxHeaderBytes  request line and headers together at most; more gets 431
 * @param maxBodyBytes    request body at most; more gets 413
 */
public record HttpServerConfig(
        String name,
        String bindAddress,
        int port,
        int threads,
        int maxConnections,
        Duration requestTimeout,
        Duration idleTimeout,
        Duration writeTimeout,
        int maxHeaderBytes,
        int maxBodyBytes) {

    public static final String LOCALHOST = "127.0.0.1";
    public static final String ALL_INTERFACES = "0.0.0.0";
    public static final int MAX_THREADS = 256;
    public static final int MAX_CONNECTIONS = 10_000;
    public static final int MAX_HEADER_BYTES = 1 << 20;
    public static final int MAX_BODY_BYTES = 64 << 20;
    private static final Duration MIN_TIMEOUT = Duration.ofMillis(100);
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    public HttpServerConfig {
        if (name == null || !name.matches("[a-zA-Z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("name must be 1 to 64 characters of [a-zA-Z0-9._-], was '" + name + "'");
        }
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new IllegalArgumentException("bindAddress must not be blank (" + LOCALHOST + " for this machine only, "
                    + ALL_INTERFACES + " for every interface)");
        }
        bindAddress = bindAddress.strip();
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be between 1 and " + MAX_THREADS + ", was " + threads);
        }
        if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS) {
            throw new IllegalArgumentException("maxConnections must be between 1 and " + MAX_CONNECTIONS
                    + ", was " + maxConnections);
        }
        requireTimeout("requestTimeout", requestTimeout);
        requireTimeout("idleTimeout", idleTimeout);
        requireTimeout("writeTimeout", writeTimeout);
        if (maxHeaderBytes < 1_024 || maxHeaderBytes > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("maxHeaderBytes must be between 1024 and " + MAX_HEADER_BYTES
                    + ", was " + maxHeaderBytes);
        }
        if (maxBodyBytes < 0 || maxBodyBytes > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("maxBodyBytes must be between 0 and " + MAX_BODY_BYTES
                    + ", was " + maxBodyBytes);
        }
    }

    /**
     * This machine only, 8 handler threads, 256 connections, 10 s to send a request, 30 s of silence,
     * 10 s to take a response, 16 KiB of headers and 1 MiB of body.
     */
    public static HttpServerConfig localhost(String name, int port) {
        return new HttpServerConfig(name, LOCALHOST, port, 8, 256, Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofSeconds(10), 16 * 1024, 1 << 20);
    }

    public HttpServerConfig withBindAddress(String address) {
        return new HttpServerConfig(name, address, port, threads, maxConnections, requestTimeout, idleTimeout,
                writeTimeout, maxHeaderBytes, maxBodyBytes);
    }

    public HttpServerConfig withPort(int newPort) {
        return new HttpServerConfig(name, bindAddress, newPort, threads, maxConnections, requestTimeout, idleTimeout,
                writeTimeout, maxHeaderBytes, maxBodyBytes);
    }

    public HttpServerConfig withThreads(int newThreads) {
        return new HttpServerConfig(name, bindAddress, port, newThreads, maxConnections, requestTimeout, idleTimeout,
                writeTimeout, maxHeaderBytes, maxBodyBytes);
    }

    public HttpServerConfig withMaxConnections(int connections) {
        return new HttpServerConfig(name, bindAddress, port, threads, connections, requestTimeout, idleTimeout,
                writeTimeout, maxHeaderBytes, maxBodyBytes);
    }

    public HttpServerConfig withTimeouts(Duration request, Duration idle, Duration write) {
        return new HttpServerConfig(name, bindAddress, port, threads, maxConnections, request, idle, write,
                maxHeaderBytes, maxBodyBytes);
    }

    public HttpServerConfig withMaxHeaderBytes(int bytes) {
        return new HttpServerConfig(name, bindAddress, port, threads, maxConnections, requestTimeout, idleTimeout,
                writeTimeout, bytes, maxBodyBytes);
    }

    public HttpServerConfig withMaxBodyBytes(int bytes) {
        return new HttpServerConfig(name, bindAddress, port, threads, maxConnections, requestTimeout, idleTimeout,
                writeTimeout, maxHeaderBytes, bytes);
    }

    /**
     * The host part of a URL a client on this machine uses: {@code localhost} for the loopback address
     * or every interface, else the bind address (an IPv6 literal in brackets).
     */
    public String clientHost() {
        if (bindAddress.equals(LOCALHOST) || bindAddress.equals(ALL_INTERFACES) || bindAddress.equals("::")
                || bindAddress.equals("localhost")) {
            return "localhost";
        }
        return bindAddress.contains(":") ? "[" + bindAddress + "]" : bindAddress;
    }

    private static void requireTimeout(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.compareTo(MIN_TIMEOUT) < 0 || value.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException(field + " must be between " + MIN_TIMEOUT + " and " + MAX_TIMEOUT
                    + ", was " + value);
        }
    }
}
