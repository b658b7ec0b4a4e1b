package dev.streamtune.trainer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the last K checkpoints of one trainer in a directory.
 *
 * <p>A save is atomic: the bytes go to a temp file in the same directory, are fsynced, renamed
 * over the final name, and the directory is fsynced so the rename itself survives a power cut.
 * Only then may the Kafka loop commit its group offsets. A restore takes the newest checkpoint
 * whose digest verifies, and reports every newer one it had to skip.
 */
public final class CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d{20})\\.stck");
    private static final String TEMP_PREFIX = ".checkpoint-";
    private static final int MAX_KEEP = 1_000;

    private final Path directory;
    private final int keepLast;

    public CheckpointStore(Path directory, int keepLast) throws IOException {
        if (keepLast < 1 || keepLast > MAX_KEEP) {
            throw new IllegalArgumentException("keepLast must be in [1, " + MAX_KEEP + "], got " + keepLast);
        }
        this.directory = directory;
        this.keepLast = keepLast;
        Files.createDirectories(directory);
    }

    /** Writes {@code state} durably as the newest checkpoint and prunes all but the last K. */
    public Path save(TrainerState state) throws IOException {
        byte[] bytes = CheckpointCodec.encode(state);
        List<Path> existing = checkpoints();
        long sequence = existing.isEmpty() ? 1 : sequenceOf(existing.get(0)) + 1;
        Path target = directory.resolve(String.format("checkpoint-%020d.stck", sequence));
        Path temp = directory.resolve(TEMP_PREFIX + sequence + "-" + ProcessHandle.current().pid() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        fsyncDirectory();
        List<Path> all = checkpoints();
        for (Path old : all.subList(Math.min(keepLast, all.size()), all.size())) {
            Files.deleteIfExists(old);
        }
        return target;
    }

    private void fsyncDirectory() throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Checkpoint files, newest first. */
    public List<Path> checkpoints() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(path -> NAME.matcher(path.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong(CheckpointStore::sequenceOf).reversed())
                    .toList();
        }
    }

    private static long sequenceOf(Path path) {
        Matcher matcher = NAME.matcher(path.getFileName().toString());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a checkpoint file name: " + path);
        }
        return Long.parseLong(matcher.group(1));
    }

    /**
     * The newest checkpoint that reads back intact. Newer files that are corrupt or truncated are
     * skipped, logged at WARN, and listed in the result; leftover temp files from a crash mid-save
     * are deleted.
     */
    public Restored restoreNewest() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path leftover : files.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).toList()) {
                LOG.info("Deleting {} left by a save that did not finish", leftover);
                Files.deleteIfExists(leftover);
            }
        }
        List<SkippedCheckpoint> skipped = new ArrayList<>();
        for (Path path : checkpoints()) {
            try {
                TrainerState state = CheckpointCodec.decode(Files.readAllBytes(path));
                if (!skipped.isEmpty()) {
                    LOG.warn("Restored from {} (step {}) after skipping {} newer unusable checkpoint(s)", path,
                            state.step(), skipped.size());
                }
                return new Restored(Optional.of(state), Optional.of(path), skipped);
            } catch (CorruptCheckpointException e) {
                LOG.warn("Skipping checkpoint {}: {}", path, e.getMessage());
                skipped.add(new SkippedCheckpoint(path, e.getMessage()));
            }
        }
        if (!skipped.isEmpty()) {
            LOG.warn("No usable checkpoint in {}: all {} are corrupt; starting fresh", directory, skipped.size());
        }
        return new Restored(Optional.empty(), Optional.empty(), skipped);
    }

    /** @param skipped newer checkpoints that could not be used, newest first, with the reason */
    public record Restored(Optional<TrainerState> state, Optional<Path> path, List<SkippedCheckpoint> skipped) {
        public Restored {
            skipped = List.copyOf(skipped);
        }
    }

    public record SkippedCheckpoint(Path path, String reason) {
    }
}
