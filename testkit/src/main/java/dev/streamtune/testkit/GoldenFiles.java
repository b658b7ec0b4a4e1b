package dev.streamtune.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Golden fixtures: bytes of a persisted format (an Avro record on the wire, a checkpoint, a delta)
 * written once, committed under {@code src/test/resources/golden/}, and loaded by tests from then
 * on, so a change that can no longer read what an older build wrote fails a test.
 *
 * <p>A fixture is only ever (re)written on purpose: run the golden test with
 * {@code -D}{@value #WRITE_PROPERTY}{@code =true} (from the module's directory, as Maven does), then
 * review and commit the new file and update the digest the test pins. Without the property a
 * missing fixture fails the test and says how to write it; nothing is written silently.
 */
public final class GoldenFiles {
    /** Set to {@code true} to rewrite the fixtures of the tests that run. */
    public static final String WRITE_PROPERTY = "streamtune.golden.write";
    /** Where fixtures live, relative to the module directory (Maven runs tests there). */
    public static final Path SOURCE_DIRECTORY = Path.of("src", "test", "resources", "golden");

    private GoldenFiles() {
    }

    /** Whether this run rewrites fixtures ({@code -Dstreamtune.golden.write=true}). */
    public static boolean writing() {
        return Boolean.getBoolean(WRITE_PROPERTY);
    }

    /**
     * The committed bytes of fixture {@code name} ({@code golden/name} on the test class path). When
     * {@link #writing()}, {@code current} is first written to {@link #SOURCE_DIRECTORY} and its bytes
     * are returned instead (the class path copy is the old one until the next build).
     */
    public static byte[] load(String name, Supplier<byte[]> current) {
        if (writing()) {
            byte[] bytes = current.get();
            Path file = SOURCE_DIRECTORY.resolve(name);
            try {
                Files.createDirectories(file.getParent());
                Files.write(file, bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write golden fixture " + file.toAbsolutePath(), e);
            }
            System.err.println("golden fixture rewritten (review and commit it): " + file.toAbsolutePath()
                    + " (" + bytes.length + " bytes)");
            return bytes;
        }
        return read(name);
    }

    /** The committed bytes of fixture {@code name}; fails naming the fixture and how to write it. */
    public static byte[] read(String name) {
        try (InputStream in = GoldenFiles.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new AssertionError("golden fixture golden/" + name + " is not on the test class path; write it"
                        + " deliberately with -D" + WRITE_PROPERTY + "=true and commit " + SOURCE_DIRECTORY.resolve(name));
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read golden fixture golden/" + name, e);
        }
    }
}
