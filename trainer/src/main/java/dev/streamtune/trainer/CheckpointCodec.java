package dev.streamtune.trainer;

import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.head.HeadKind;
import dev.streamtune.model.head.HeadSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
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
            out.writeLong(state.optimizer().step());
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
                for (LabeledExample example : reservoir.examples()) {
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
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(file, MAGIC.length, payloadEnd - MAGIC.length))) {
            String techniqueId = in.readUTF();
            HeadSpec head = new HeadSpec(HeadKind.parse(in.readUTF()), in.readInt(), in.readInt(), in.readFloat());
            int labelCount = count(in.readInt(), "labels");
            List<String> labels = new ArrayList<>(labelCount);
            for (int i = 0; i < labelCount; i++) {
                labels.add(in.readUTF());
            }
            long step = in.readLong();
            long examplesSeen = in.readLong();
            long rngState = in.readLong();
            List<NamedTensor> parameters = readTensors(in);
            long optimizerStep = in.readLong();
            AdamW.State optimizer = new AdamW.State(optimizerStep, readTensors(in), readTensors(in));
            long[] counts = new long[count(in.readInt(), "class counts")];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = in.readLong();
            }
            int reservoirCount = count(in.readInt(), "replay reservoirs");
            List<ClassBalancedReplayBuffer.Reservoir> reservoirs = new ArrayList<>(reservoirCount);
            for (int r = 0; r < reservoirCount; r++) {
                int labelIndex = in.readInt();
                long seen = in.readLong();
                int size = count(in.readInt(), "replay examples");
                List<LabeledExample> examples = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    int exampleLabel = in.readInt();
                    float weight = in.readFloat();
                    examples.add(new LabeledExample(readFloats(in), exampleLabel, weight));
                }
                reservoirs.add(new ClassBalancedReplayBuffer.Reservoir(labelIndex, seen, examples));
            }
            int offsetCount = count(in.readInt(), "offsets");
            Map<String, Long> offsets = new LinkedHashMap<>();
            for (int i = 0; i < offsetCount; i++) {
                offsets.put(in.readUTF(), in.readLong());
            }
            Map<String, String> annotations = new LinkedHashMap<>();
            if (!v1) {
                int annotationCount = count(in.readInt(), "annotations");
                for (int i = 0; i < annotationCount; i++) {
                    annotations.put(in.readUTF(), in.readUTF());
                }
            }
            if (in.available() != 0) {
                throw new CorruptCheckpointException("checkpoint has " + in.available() + " unread bytes after its payload");
            }
            return new TrainerState(techniqueId, head, labels, step, examplesSeen, rngState, parameters, optimizer, counts,
                    new ClassBalancedReplayBuffer.State(reservoirs), offsets, annotations);
        } catch (EOFException e) {
            throw new CorruptCheckpointException("checkpoint payload ends early", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new CorruptCheckpointException("checkpoint payload is malformed: " + e.getMessage(), e);
        }
    }

    private static int count(int value, String what) throws CorruptCheckpointException {
        if (value < 0 || value > MAX_COUNT) {
            throw new CorruptCheckpointException("checkpoint declares " + value + " " + what + ", outside [0, " + MAX_COUNT + "]");
        }
        return value;
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

    private static List<NamedTensor> readTensors(DataInputStream in) throws IOException, CorruptCheckpointException {
        int size = count(in.readInt(), "tensors");
        List<NamedTensor> tensors = new ArrayList<>(size);
        for (int t = 0; t < size; t++) {
            String name = in.readUTF();
            long[] shape = new long[count(in.readInt(), "tensor dimensions")];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = in.readLong();
            }
            tensors.add(new NamedTensor(name, shape, readFloats(in)));
        }
        return tensors;
    }

    private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        out.writeInt(values.length);
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.BIG_ENDIAN);
        buffer.asFloatBuffer().put(values);
        out.write(buffer.array());
    }

    private static float[] readFloats(DataInputStream in) throws IOException, CorruptCheckpointException {
        int length = count(in.readInt(), "floats");
        if (length > in.available() / Float.BYTES) {
            throw new CorruptCheckpointException("checkpoint declares " + length + " floats but only " + in.available()
                    + " bytes remain");
        }
        byte[] raw = new byte[length * Float.BYTES];
        in.readFully(raw);
        float[] values = new float[length];
        ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(values);
        return values;
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
