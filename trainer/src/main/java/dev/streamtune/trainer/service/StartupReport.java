package dev.streamtune.trainer.service;

import dev.streamtune.trainer.CheckpointStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a trainer found and did at start; also logged.
 *
 * @param restoredFrom the checkpoint it restored, empty when it started fresh
 * @param skippedCheckpoints newer checkpoints it could not use (corrupt or truncated), newest first
 * @param checkpointVersion the version number recorded in the restored checkpoint, 0 when fresh
 * @param highestPublishedVersion the highest version of the task on models.candidates at start, 0 if none
 * @param republishedVersion the version it published from the checkpoint because a crash had cut
 *     it off between checkpoint and publish
 * @param seekOffsets where it resumed reading the features topic, per {@code topic:partition}
 */
public record StartupReport(Optional<Path> restoredFrom, List<CheckpointStore.SkippedCheckpoint> skippedCheckpoints,
        long checkpointVersion, long highestPublishedVersion, OptionalLong republishedVersion,
        Map<String, Long> seekOffsets) {

    public StartupReport {
        skippedCheckpoints = List.copyOf(skippedCheckpoints);
        seekOffsets = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(seekOffsets));
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        out.append(restoredFrom.map(p -> "restored checkpoint " + p + " (version " + checkpointVersion + ")")
                .orElse("no checkpoint: starting fresh"));
        for (CheckpointStore.SkippedCheckpoint skipped : skippedCheckpoints) {
            out.append("; skipped corrupt checkpoint ").append(skipped.path()).append(" (").append(skipped.reason())
                    .append(')');
        }
        out.append("; highest published version ").append(highestPublishedVersion);
        republishedVersion.ifPresent(v -> out.append("; re-published version ").append(v)
                .append(" from the checkpoint (a crash had cut it off before publishing)"));
        out.append("; resuming at ").append(seekOffsets);
        return out.toString();
    }
}
