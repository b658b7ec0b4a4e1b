package dev.streamtune.app;

import java.nio.file.Path;

/** Where the project lives: the launcher passes it as {@code -Dstreamtune.home}. */
final class Paths {
    private Paths() {}

    static Path home() {
        String home = System.getProperty("streamtune.home");
        return Path.of(home != null ? home : ".").toAbsolutePath().normalize();
    }

    /** The data directory of {@code streamtune up} unless {@code --data-dir} says otherwise. */
    static Path defaultData() {
        return home().resolve(".data");
    }
}
