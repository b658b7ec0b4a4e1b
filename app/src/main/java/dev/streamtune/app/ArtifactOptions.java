package dev.streamtune.app;

import dev.streamtune.loader.DirectoryArtifactStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a command that loads model versions finds deltas sent by URI (unfrozen layers are too large to travel
 * inline): the directory artifact store the trainer writes to, shared by every reader.
 */
final class ArtifactOptions {
    @Option(names = "--artifact-dir", defaultValue = "${env:STREAMTUNE_ARTIFACT_DIR}",
            description = "Directory artifact store holding deltas sent by URI (env STREAMTUNE_ARTIFACT_DIR)."
                    + " Default: artifacts/ under the data directory of 'streamtune up' (.data/artifacts).")
    Path artifactDir;

    Path directory() {
        return artifactDir != null ? artifactDir : DirectoryArtifactStore.under(Paths.defaultData());
    }
}
