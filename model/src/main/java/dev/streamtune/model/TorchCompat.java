package dev.streamtune.model;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads the optional JNI shim of {@code deploy/gpu/torch-compat} before DJL creates its first
 * array, when {@value #ENV} (or the system property {@value #PROPERTY}) names it. The shim is
 * compiled on a GPU node against that node's libtorch and re-binds the two DJL natives whose
 * inline code is tied to libtorch 2.7.1 (array creation from Java memory, and reading back), so
 * DJL 0.36 can train on a node whose CUDA libtorch is newer. Without the setting nothing happens.
 */
public final class TorchCompat {
    public static final String ENV = "STREAMTUNE_TORCH_COMPAT_LIB";
    public static final String PROPERTY = "streamtune.torch.compat";
    private static volatile String loaded;

    private TorchCompat() {
    }

    /** Loads the configured shim once; returns its path, or null when none is configured. */
    public static synchronized String loadIfConfigured() {
        if (loaded != null) {
            return loaded;
        }
        String configured = System.getProperty(PROPERTY, System.getenv(ENV));
        if (configured == null || configured.isBlank()) {
            return null;
        }
        Path library = Path.of(configured).toAbsolutePath();
        if (!Files.isRegularFile(library)) {
            throw new IllegalStateException(ENV + " names '" + library + "', which is not a file; build it with "
                    + "deploy/gpu/torch-compat/build.sh");
        }
        System.load(library.toString());
        loaded = library.toString();
        return loaded;
    }
}
