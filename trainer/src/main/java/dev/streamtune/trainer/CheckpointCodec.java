package dev.streamtune.trainer;

import dev.streamtune.model.optim.AdamOptimizer;
import dev.streamtune.model.delta.BoundedBytes;
import dev.streamtune.model.delta.DeltaRejectedException;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.NdListReader;
import dev.streamtune.model.head.HeadKind;
import dev.streamtune.model.head.HeadSpec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checkpoint file format: {@code "STCKPT02"}, a payload of plain numbers and strings (no Java
 * serialization, nothing that runs code), then the sha256 of everything before it. A file whose
 * digest does not match - a truncated write, a flipped bit - is refused as a whole.
 */
public final class CheckpointCodec {
    /** Version 2 appends the annotations map; version 1 files (no annotations) still decode. */
    private static final byte[] MAGIC = "STCKPT02".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC_V1 = "STCKPT01".getBytes(StandardCharsets.US_ASCII);
    private static final int DIGEST_BYTES = 32;
    private static final int MAX_COUNT = 100_000_000;
    private static final int MAX_UTF = 65_535;

    private CheckpointCodec() {
    }

    public static byte[] encode(TrainerState state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeUTF(state.techniqueId());
            HeadSpec head = state.head();
            out.writeUTF(head.kind().name());
            out.writeInt(head.inputDim());
            out.writeInt(head.hiddenSize());
            out.writeFloat(head.dropout());
            out.writeInt(state.labels().size());
            for (String label : state.labels()) {
                out.writeUTF(label);
            }
            out.writeLong(state.step());
            out.writeLong(state.examplesSeen());
            out.writeLong(state.rngState());
            writeTensors(out, state.parameters());
            out.writeLong(state.optimizer().steps());
            writeTensors(out, state.optimizer().firstMoments());
            writeTensors(out, state.optimizer().secondMoments());
            long[] counts = state.classCounts();
            out.writeInt(counts.length);
            for (long count : counts) {
                out.writeLong(count);
            }
            List<ClassBalancedReplayBuffer.Reservoir> reservoirs = state.replay().reservoirs();
            out.writeInt(reservoirs.size());
            for (ClassBalancedReplayBuffer.Reservoir reservoir : reservoirs) {
                out.writeInt(reservoir.labelIndex());
                out.writeLong(reservoir.seen());
                out.writeInt(reservoir.examples().size());
                for (TrainingExample example : reservoir.examples()) {
                    out.writeInt(example.labelIndex());
                    out.writeFloat(example.weight());
                    writeFloats(out, example.features());
                }
            }
            Map<String, Long> offsets = new TreeMap<>(state.nextOffsets());
            out.writeInt(offsets.size());
            for (Map.Entry<String, Long> entry : offsets.entrySet()) {
                out.writeUTF(entry.getKey());
                out.writeLong(entry.getValue());
            }
            Map<String, String> annotations = new TreeMap<>(state.annotations());
            out.writeInt(annotations.size());
            for (Map.Entry<String, String> entry : annotations.entrySet()) {
                out.writeUTF(entry.getKey());
                out.writeUTF(entry.getValue());
            }
            out.flush();
            out.write(sha256(bytes.toByteArray(), bytes.size()));
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    public static TrainerState decode(byte[] file) throws CorruptCheckpointException {
        if (file.length < MAGIC.length + DIGEST_BYTES) {
            throw new CorruptCheckpointException("checkpoint is " + file.length + " bytes, shorter than its header and digest ("
                    + (MAGIC.length + DIGEST_BYTES) + ")");
        }
        boolean v1 = Arrays.equals(file, 0, MAGIC_V1.length, MAGIC_V1, 0, MAGIC_V1.length);
        if (!v1 && !Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new CorruptCheckpointException("checkpoint does not start with " + new String(MAGIC, StandardCharsets.US_ASCII));
        }
        int payloadEnd = file.length - DIGEST_BYTES;
        byte[] expected = Arrays.copyOfRange(file, payloadEnd, file.length);
        byte[] actual = sha256(file, payloadEnd);
        if (!MessageDigest.isEqual(expected, actual)) {
            throw new CorruptCheckpointException("checkpoint digest mismatch (truncated or altered): stored "
                    + HexFormat.of().formatHex(expected) + ", computed " + HexFormat.of().formatHex(actual));
        }
        try {
            return readPayload(new BoundedBytes(file, MAGIC.length, payloadEnd, "checkpoint payload"), v1);
        } catch (DeltaRejectedException e) {
            throw new CorruptCheckpointException(e.getMessage(), e);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CorruptCheckpointException("checkpoint payload is malformed: " + e.getMessage(), e);
        }
    }

    /**
     * The payload after the digest matched. The digest proves only that the file is as written, not by
     * whom, so every count is still checked against the bytes left before anything that large exists.
     */
    private static TrainerState readPayload(BoundedBytes in, boolean v1) {
        String techniqueId = in.readUtf("technique id", MAX_UTF);
        HeadSpec head = new HeadSpec(HeadKind.parse(in.readUtf("head kind", MAX_UTF)), in.readInt("head input dim"),
                in.readInt("head hidden size"), in.readFloat("head dropout"));
        int labelCount = in.readCount("label count", MAX_COUNT, 2);
        List<String> labels = new ArrayList<>(labelCount);
        for (int i = 0; i < labelCount; i++) {
            labels.add(in.readUtf("label", MAX_UTF));
        }
        long step = in.readLong("step");
        long examplesSeen = in.readLong("examples seen");
        long rngState = in.readLong("rng state");
        List<NamedTensor> parameters = readTensors(in, "parameters");
        long optimizerStep = in.readLong("optimizer step");
        AdamOptimizer.State optimizer = new AdamOptimizer.State(optimizerStep, readTensors(in, "first moments"),
                readTensors(in, "second moments"));
        long[] counts = new long[in.readCount("class count", MAX_COUNT, Long.BYTES)];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = in.readLong("class count");
        }
        int reservoirCount = in.readCount("replay reservoir count", MAX_COUNT, 4 + 8 + 4);
        List<ClassBalancedReplayBuffer.Reservoir> reservoirs = new ArrayList<>(reservoirCount);
        for (int r = 0; r < reservoirCount; r++) {
            int labelIndex = in.readInt("reservoir label");
            long seen = in.readLong("reservoir seen");
            int size = in.readCount("replay example count", MAX_COUNT, 4 + 4 + 4);
            List<TrainingExample> examples = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                int exampleLabel = in.readInt("example label");
                float weight = in.readFloat("example weight");
                examples.add(new TrainingExample(readFloats(in, "example features"), exampleLabel, weight));
            }
            reservoirs.add(new ClassBalancedReplayBuffer.Reservoir(labelIndex, seen, examples));
        }
        int offsetCount = in.readCount("offset count", MAX_COUNT, 2 + 8);
        Map<String, Long> offsets = new LinkedHashMap<>();
        for (int i = 0; i < offsetCount; i++) {
            offsets.put(in.readUtf("offset topic", MAX_UTF), in.readLong("offset"));
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        if (!v1) {
            int annotationCount = in.readCount("annotation count", MAX_COUNT, 2 + 2);
            for (int i = 0; i < annotationCount; i++) {
                annotations.put(in.readUtf("annotation key", MAX_UTF), in.readUtf("annotation value", MAX_UTF));
            }
        }
        if (in.remaining() != 0) {
            throw in.reject("payload", "has " + in.remaining() + " unread bytes after its end");
        }
        return new TrainerState(techniqueId, head, labels, step, examplesSeen, rngState, parameters, optimizer, counts,
                new ClassBalancedReplayBuffer.State(reservoirs), offsets, annotations);
    }

    private static void writeTensors(DataOutputStream out, List<NamedTensor> tensors) throws IOException {
        out.writeInt(tensors.size());
        for (NamedTensor tensor : tensors) {
            out.writeUTF(tensor.name());
            long[] shape = tensor.shape();
            out.writeInt(shape.length);
            for (long dim : shape) {
                out.writeLong(dim);
            }
            writeFloats(out, tensor.valuesView());
        }
    }

    private static List<NamedTensor> readTensors(BoundedBytes in, String what) {
        int size = in.readCount(what + " tensor count", MAX_COUNT, 2 + 4 + 4);
        List<NamedTensor> tensors = new ArrayList<>(size);
        for (int t = 0; t < size; t++) {
            String name = in.readUtf(what + " tensor " + t + " name", MAX_UTF);
            String at = what + " tensor " + t + " '" + name + "'";
            long[] shape = new long[in.readCount(at + " rank", NdListReader.MAX_RANK, Long.BYTES)];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = in.readLong(at + " dimension " + i);
            }
            tensors.add(new NamedTensor(name, shape, readFloats(in, at + " values")));
        }
        return tensors;
    }

    private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        out.writeInt(values.length);
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.BIG_ENDIAN);
        buffer.asFloatBuffer().put(values);
        out.write(buffer.array());
    }

    private static float[] readFloats(BoundedBytes in, String what) {
        return in.readFloats(what, in.readCount(what + " count", MAX_COUNT, Float.BYTES), ByteOrder.BIG_ENDIAN);
    }

    private static byte[] sha256(byte[] data, int length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(data, 0, length);
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
