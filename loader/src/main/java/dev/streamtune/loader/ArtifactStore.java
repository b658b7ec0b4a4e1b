package dev.streamtune.loader;

import java.io.IOException;
import java.net.URI;

/**
 * Where deltas too large to travel inline live: the event carries a URI, the consumer fetches the bytes and checks
 * them against the event's sha256. A directory is the default ({@link DirectoryArtifactStore}); an S3-compatible
 * store plugs in behind the same interface.
 */
public interface ArtifactStore {
    /**
     * Stores bytes and returns the URI a consumer fetches them by. Content-addressed by {@code sha256}, so storing the
     * same delta twice is harmless.
     */
    URI put(byte[] bytes, String sha256) throws IOException;

    /**
     * Fetches the bytes behind {@code uri}.
     *
     * @param maxBytes refuse (without reading) anything larger
     * @throws IOException naming the URI and what went wrong: unknown scheme, outside the store, missing, too large
     */
    byte[] fetch(URI uri, long maxBytes) throws IOException;
}
