package dev.streamtune.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.model.delta.Delta;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryArtifactStoreTest {
    private static final byte[] BYTES = "tensor bytes".getBytes(StandardCharsets.UTF_8);
    private static final String SHA = Delta.sha256Hex(BYTES);

    @Test
    void storesContentAddressedFilesAndFetchesThemBack(@TempDir Path root) throws Exception {
        DirectoryArtifactStore store = new DirectoryArtifactStore(root.resolve("store"));
        URI uri = store.put(BYTES, SHA);
        assertThat(uri.getScheme()).isEqualTo("file");
        assertThat(Path.of(uri)).isEqualTo(store.root().resolve(SHA + ".delta"));
        assertThat(store.fetch(uri, 1024)).isEqualTo(BYTES);
        // storing again is harmless and leaves no temporary files behind
        assertThat(store.put(BYTES, SHA)).isEqualTo(uri);
        try (var files = Files.list(store.root())) {
            assertThat(files).containsExactly(Path.of(uri));
        }
    }

    @Test
    void refusesWhatItMustNotRead(@TempDir Path root) throws Exception {
        DirectoryArtifactStore store = new DirectoryArtifactStore(root.resolve("store"));
        URI uri = store.put(BYTES, SHA);
        assertThatThrownBy(() -> store.fetch(uri, 4)).isInstanceOf(IOException.class)
                .hasMessageContaining("more than the limit 4");
        URI escape = URI.create(store.root().toUri() + "../secret");
        Files.writeString(root.resolve("secret"), "x");
        assertThatThrownBy(() -> store.fetch(escape, 1024)).isInstanceOf(IOException.class)
                .hasMessageContaining("outside the artifact store");
        assertThatThrownBy(() -> store.put(BYTES, "not-a-digest")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64 lower-case hex");
    }
}
