package dev.streamtune.http;

/**
 * How a server words the errors it makes itself (body too large, too slow, headers too large,
 * too many event streams, a handler that threw), so that each API keeps one error format: the
 * registry answers Confluent's {@code {"error_code":..,"message":..}}, the others plain text.
 */
@FunctionalInterface
public interface ErrorRenderer {

    HttpResponse render(int status, String message);

    /** {@code status message} as plain text. */
    ErrorRenderer PLAIN = (status, message) -> HttpResponse.text(status, message);
}
