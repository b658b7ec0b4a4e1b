package dev.streamtune.http;

import java.nio.ByteBuffer;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own errors (headers too large, a malformed request line, ...) in the server's
 * {@link ErrorRenderer} format instead of Jetty's HTML page.
 */
final class RenderedErrors extends ErrorHandler {

    private final ErrorRenderer renderer;

    RenderedErrors(ErrorRenderer renderer) {
        this.renderer = renderer;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        HttpResponse error = renderer.render(code, describe(code, message));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, error.contentType());
        error.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        response.write(true, ByteBuffer.wrap(error.body()), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        HttpResponse error = renderer.render(status, describe(status, reason));
        fields.put(HttpHeader.CONTENT_TYPE, error.contentType());
        return ByteBuffer.wrap(error.body());
    }

    private static String describe(int status, String message) {
        String reason = switch (status) {
            case 400 -> "Bad request";
            case 414 -> "Request URI too long";
            case 431 -> "Request header fields too large";
            default -> "HTTP " + status;
        };
        return message == null || message.isBlank() ? reason : reason + ": " + message;
    }
}
