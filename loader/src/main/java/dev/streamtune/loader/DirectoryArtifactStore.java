package dev.streamtune.loader;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An artifact store in a local (or shared, mounted) directory: {@code <root>/<sha256>.delta}, addressed by
 * {@code file:} URIs. A fetch only reads files under the root, so an event cannot make a consumer read an arbitrary
 * file of its host.
 */
public final class DirectoryArtifactStore implements ArtifactStore {
    /** The store's directory below a deployment's data directory, where the trainer writes and every reader looks. */
    public static final String DIRECTORY_NAME = "artifacts";
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final Path root;

    public DirectoryArtifactStore(Path root) {
        Objects.requireNonNull(root, "root");
        this.root = root.toAbsolutePath().normalize();
    }

    /** The artifact directory of a deployment whose services share {@code dataDirectory}. */
    public static Path under(Path dataDirectory) {
        return Objects.requireNonNull(dataDirectory, "dataDirectory").resolve(DIRECTORY_NAME);
    }

    public Path root() {
        return root;
    }

    @Override
    public URI put(byte[] bytes, String sha256) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        if (sha256 == null || !SHA256_HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, got '" + sha256 + "'");
        }
        Files.createDirectories(root);
        Path target = root.resolve(sha256 + ".delta");
        if (!Files.exists(target)) {
            // temp file on the same filesystem, fsync, rename: a reader never sees half a delta
            Path temp = Files.createTempFile(root, sha256, ".tmp");
            try {
                Files.write(temp, bytes, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        return target.toUri();
    }

    @Override
    public byte[] fetch(URI uri, long maxBytes) throws IOException {
        Objects.requireNonNull(uri, "uri");
        if (!"file".equalsIgnoreCase(uri.getScheme())) {
            throw new IOException("delta uri '" + uri + "' has scheme '" + uri.getScheme()
                    + "'; the directory artifact store reads only file: URIs");
        }
        Path path;
        try {
            path = Path.of(uri).toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) {
            throw new IOException("delta uri '" + uri + "' is not a usable file URI: " + e.getMessage(), e);
        }
        if (!path.startsWith(root)) {
            throw new IOException("delta uri '" + uri + "' points outside the artifact store " + root);
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException("delta uri '" + uri + "': no such file in the artifact store");
        }
        long size = Files.size(path);
        if (size > maxBytes) {
            throw new IOException("delta uri '" + uri + "' holds " + size + " bytes, more than the limit " + maxBytes);
        }
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes((int) Math.min(maxBytes, Integer.MAX_VALUE - 8));
        }
    }

    @Override
    public String toString() {
        return "DirectoryArtifactStore[" + root + "]";
    }
}
