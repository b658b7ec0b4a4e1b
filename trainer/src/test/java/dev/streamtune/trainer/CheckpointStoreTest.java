package dev.streamtune.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

@Tag("model")
class CheckpointStoreTest {
    private static final TrainerConfig CONFIG = new TrainerConfig("head", 8, HeadConfig.mlp(6, 0.1f),
            OptimizerConfig.defaults(), 0.3f, 5, true, 3L, "cpu");
    private static TrainerState afterFour;
    private static TrainerState afterEight;

    @BeforeAll
    static void train() {
        SyntheticData data = new SyntheticData(8, 2f, 9);
        try (HeadTrainer trainer = HeadTrainer.create(CONFIG, List.of("ham", "spam"))) {
            for (int i = 0; i < 4; i++) {
                trainer.step(data.batch(10, 0, 1));
            }
            afterFour = trainer.snapshot(Map.of("features.minilm-0", 40L, "features.minilm-1", 7L));
            for (int i = 0; i < 4; i++) {
                trainer.step(data.batch(10, 0, 1));
            }
            afterEight = trainer.snapshot(Map.of("features.minilm-0", 80L, "features.minilm-1", 15L));
        }
    }

    @Test
    void savedStateReadsBackEqualInEveryPart(@TempDir Path directory) throws Exception {
        CheckpointStore store = new CheckpointStore(directory, 2);
        store.save(afterEight);

        CheckpointStore.Restored restored = store.restoreNewest();

        TrainerState state = restored.state().orElseThrow();
        assertThat(state).isEqualTo(afterEight);
        assertThat(state.replay().reservoirs()).hasSize(2).allSatisfy(r -> assertThat(r.examples()).isNotEmpty());
        assertThat(state.optimizer().steps()).isEqualTo(8);
        assertThat(state.optimizer().firstMoments()).isNotEmpty();
        assertThat(state.nextOffsets()).containsEntry("features.minilm-1", 15L);
        assertThat(restored.skipped()).isEmpty();
        try (var files = Files.list(directory)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".tmp"));
        }
    }

    @Test
    void keepsOnlyTheLastK(@TempDir Path directory) throws Exception {
        CheckpointStore store = new CheckpointStore(directory, 2);
        store.save(afterFour);
        Path second = store.save(afterFour);
        Path third = store.save(afterEight);

        assertThat(store.checkpoints()).containsExactly(third, second);
    }

    @Test
    void truncatedNewestFallsBackToThePreviousAndSaysSo(@TempDir Path directory) throws Exception {
        CheckpointStore store = new CheckpointStore(directory, 3);
        Path older = store.save(afterFour);
        Path newest = store.save(afterEight);
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, Arrays.copyOf(bytes, bytes.length / 2));

        CheckpointStore.Restored restored = store.restoreNewest();

        assertThat(restored.state()).contains(afterFour);
        assertThat(restored.path()).contains(older);
        assertThat(restored.skipped()).singleElement().satisfies(skipped -> {
            assertThat(skipped.path()).isEqualTo(newest);
            assertThat(skipped.reason()).contains("digest mismatch");
        });
    }

    @Test
    void flippedBitAndGarbageAreSkippedAndLeftoverTempFilesRemoved(@TempDir Path directory) throws Exception {
        CheckpointStore store = new CheckpointStore(directory, 3);
        Path only = store.save(afterFour);
        byte[] bytes = Files.readAllBytes(only);
        bytes[bytes.length / 3] ^= 0x10;
        Files.write(only, bytes);
        Path garbage = directory.resolve("checkpoint-00000000000000000009.stck");
        Files.write(garbage, new byte[] {1, 2, 3});
        Path leftover = directory.resolve(".checkpoint-10-123.tmp");
        Files.write(leftover, new byte[] {4});

        CheckpointStore.Restored restored = store.restoreNewest();

        assertThat(restored.state()).isEmpty();
        assertThat(restored.skipped()).extracting(CheckpointStore.SkippedCheckpoint::path).containsExactly(garbage, only);
        assertThat(restored.skipped().get(0).reason()).contains("shorter than its header");
        assertThat(leftover).doesNotExist();
    }

    @Test
    void emptyDirectoryRestoresNothing(@TempDir Path directory) throws IOException {
        CheckpointStore.Restored restored = new CheckpointStore(directory, 1).restoreNewest();
        assertThat(restored.state()).isEmpty();
        assertThat(restored.skipped()).isEmpty();
    }

    @Test
    void keepLastIsValidated(@TempDir Path directory) {
        assertThatThrownBy(() -> new CheckpointStore(directory, 0)).hasMessageContaining("keepLast must be in [1, 1000]");
    }

    @Test
    void annotationsTravelInTheSameAtomicFile(@TempDir Path directory) throws Exception {
        CheckpointStore store = new CheckpointStore(directory, 2);
        TrainerState annotated = afterEight.withAnnotations(Map.of("service.version", "7",
                "service.offsetRanges", "features.minilm:0:40:80;features.minilm:1:7:15"));
        store.save(annotated);

        TrainerState restored = store.restoreNewest().state().orElseThrow();

        assertThat(restored.annotations()).containsEntry("service.version", "7")
                .containsEntry("service.offsetRanges", "features.minilm:0:40:80;features.minilm:1:7:15");
        assertThat(restored).isEqualTo(annotated).isNotEqualTo(afterEight);
    }

    @Test
    void readsVersionOneFilesWrittenBeforeAnnotationsExisted() throws Exception {
        byte[] v2 = CheckpointCodec.encode(afterFour);
        // version 1 = the same payload without the trailing (empty) annotation count, its own magic and digest
        byte[] payload = Arrays.copyOfRange(v2, 8, v2.length - 32 - 4);
        byte[] body = new byte[8 + payload.length];
        System.arraycopy("STCKPT01".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, body, 0, 8);
        System.arraycopy(payload, 0, body, 8, payload.length);
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(body);
        byte[] v1 = Arrays.copyOf(body, body.length + 32);
        System.arraycopy(digest, 0, v1, body.length, 32);

        TrainerState decoded = CheckpointCodec.decode(v1);

        assertThat(decoded).isEqualTo(afterFour);
        assertThat(decoded.annotations()).isEmpty();
    }

    /** A payload under a freshly computed digest, as someone who can write the checkpoint directory could make it. */
    private static byte[] resealed(byte[] body) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(body);
        byte[] file = Arrays.copyOf(body, body.length + 32);
        System.arraycopy(digest, 0, file, body.length, 32);
        return file;
    }

    /**
     * The digest proves a file is as written, not by whom: mutated payloads under a recomputed digest,
     * and counts of 2^31 - 1, either decode or are refused as corrupt, never anything else, and a
     * refusal allocates next to nothing (HotSpot's per-thread allocation counter).
     */
    @Test
    void resealedHostilePayloadsDecodeOrAreRefusedAsCorrupt() throws Exception {
        byte[] valid = CheckpointCodec.encode(afterEight);
        byte[] payload = Arrays.copyOf(valid, valid.length - 32);
        java.util.Random random = new java.util.Random(8);
        int refused = 0;
        for (int i = 0; i < 3_000; i++) {
            byte[] body = dev.streamtune.model.delta.HostileDeltas.mutate(payload, random).bytes();
            if (body.length >= 8) {
                System.arraycopy(payload, 0, body, 0, 8); // keep the magic, so the payload is what gets read
            }
            byte[] file = resealed(body);
            long before = dev.streamtune.model.delta.HostileDeltas.allocatedBytes();
            try {
                CheckpointCodec.decode(file);
            } catch (CorruptCheckpointException e) {
                assertThat(e.getMessage()).isNotBlank();
                refused++;
            } catch (Throwable t) {
                throw new AssertionError("case " + i + " threw " + t + " instead of CorruptCheckpointException", t);
            }
            long allocated = dev.streamtune.model.delta.HostileDeltas.allocatedBytes() - before;
            assertThat(allocated).as("case %d allocated", i).isLessThan(2L * 1024 * 1024 + 8L * file.length);
        }
        assertThat(refused).isGreaterThan(1_000);

        // a well-formed technique id and head, then a label count of 2^31 - 1 and nothing behind it
        java.nio.ByteBuffer crafted = java.nio.ByteBuffer.allocate(8 + 2 + 4 + 2 + 6 + 4 + 4 + 4 + 4);
        crafted.put(Arrays.copyOf(valid, 8)).putShort((short) 4)
                .put("head".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        crafted.putShort((short) 6).put("LINEAR".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .putInt(8).putInt(0).putFloat(0f).putInt(Integer.MAX_VALUE);
        byte[] claimsLabels = resealed(Arrays.copyOf(crafted.array(), crafted.position()));
        assertThatThrownBy(() -> CheckpointCodec.decode(claimsLabels)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("label count = 2147483647");
    }
}
