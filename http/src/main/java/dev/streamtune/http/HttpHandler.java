package dev.streamtune.http;

/**
 * Answers one whole request. Runs on one of the server's handler threads and may block (a Kafka
 * write, say); an exception becomes a 500 through the server's {@link ErrorRenderer}.
 */
@FunctionalInterface
public interface HttpHandler {

    HttpResponse handle(HttpRequest request) throws Exception;
}
