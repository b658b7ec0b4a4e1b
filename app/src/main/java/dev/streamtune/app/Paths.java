package dev.streamtune.app;

import java.nio.file.Path;

/** Where the project lives: the launcher passes it as {@code -Dstreamtune.home}. */
final class Paths {
    private Paths() {}

    static Path home() {
        String home = System.getProperty("streamtune.home");
        return Path.of(home != null ? home : ".").toAbsolutePath().normalize();
    }
}
