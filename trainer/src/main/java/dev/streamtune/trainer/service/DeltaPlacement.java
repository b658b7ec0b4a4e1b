package dev.streamtune.trainer.service;

import dev.streamtune.model.delta.Delta;
import dev.streamtune.loader.ArtifactStore;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * How a version carries its delta: inline up to a limit, else by URI into an artifact store, written
 * durably before the version that points at it becomes visible.
 */
@FunctionalInterface
interface DeltaPlacement {
    dev.streamtune.avro.Delta place(Delta delta) throws IOException;

    /** Inline up to {@code inlineLimit} bytes, else into {@code store}. */
    static DeltaPlacement inlineUpTo(int inlineLimit, ArtifactStore store) {
        return delta -> {
            if (delta.size() <= inlineLimit) {
                return new dev.streamtune.avro.Delta(delta.format(), delta.sha256(), (long) delta.size(),
                        ByteBuffer.wrap(delta.bytes()), null);
            }
            java.net.URI uri = store.put(delta.bytes(), delta.sha256());
            return new dev.streamtune.avro.Delta(delta.format(), delta.sha256(), (long) delta.size(), null,
                    uri.toString());
        };
    }
}
