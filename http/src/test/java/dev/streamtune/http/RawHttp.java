package dev.streamtune.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Plain sockets for tests: the bytes a misbehaving client sends, and exactly what comes back. */
final class RawHttp {

    private RawHttp() {}

    /** A connected socket that has sent nothing. */
    static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        return socket;
    }

    static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** {@code GET path} on a fresh connection; the status line and body, within {@code within}. */
    static Reply get(int port, String path, Duration within) throws IOException {
        try (Socket socket = connect(port)) {
            send(socket, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            return read(socket, within);
        }
    }

    /** Everything the server sends until it closes (or {@code within} passes: then {@code timedOut}). */
    static Reply read(Socket socket, Duration within) throws IOException {
        long start = System.nanoTime();
        socket.setSoTimeout((int) Math.max(1, within.toMillis()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean timedOut = false;
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            while (true) {
                long left = within.toMillis() - (System.nanoTime() - start) / 1_000_000;
                if (left <= 0) {
                    timedOut = true;
                    break;
                }
                socket.setSoTimeout((int) left);
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                bytes.write(buffer, 0, n);
                if (isComplete(bytes.toString(StandardCharsets.ISO_8859_1))) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            timedOut = true;
        } catch (IOException reset) {
            // a reset after the response counts as closed
        }
        return new Reply(bytes.toString(StandardCharsets.UTF_8), timedOut,
                Duration.ofNanos(System.nanoTime() - start));
    }

    /** Headers in and, with a Content-Length, that many body bytes. */
    private static boolean isComplete(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = text.substring(0, end).toLowerCase();
        int at = head.indexOf("content-length:");
        if (at < 0) {
            return false;
        }
        int lineEnd = head.indexOf("\r\n", at);
        long length = Long.parseLong(head.substring(at + 15, lineEnd < 0 ? head.length() : lineEnd).trim());
        return text.length() - end - 4 >= length;
    }

    record Reply(String text, boolean timedOut, Duration took) {
        int status() {
            if (!text.startsWith("HTTP/1.1 ")) {
                return -1;
            }
            return Integer.parseInt(text.substring(9, 12));
        }

        String body() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? "" : text.substring(end + 4);
        }
    }
}
