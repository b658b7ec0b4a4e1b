package dev.streamtune.model.delta;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Bytes an attacker could put in a delta, for property tests of every decoder: random bytes,
 * mutations of a valid delta (bit flips, truncations, splices, fields overwritten with huge values),
 * and crafted headers that claim huge counts, names, ranks, dimensions and data lengths in this
 * project's format and in the formats DJL's {@code NDList.decode} would have picked by magic (npy,
 * npz, safetensors). Shared with the subscriber's loader tests through the model's test jar.
 */
public final class HostileDeltas {
    private static final long[] HUGE = {Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 1L << 31, 1L << 32, 0xFFFF,
        Long.MAX_VALUE, Long.MIN_VALUE, 1L << 62, 0x7FFF_FFF8L};

    private HostileDeltas() {
    }

    /** One hostile input and how it was made, for a failure message. */
    public record Case(String what, byte[] bytes) {
        @Override
        public String toString() {
            return what + " (" + bytes.length + " bytes)";
        }
    }

    public static byte[] randomBytes(Random random, int maxLength) {
        byte[] bytes = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(bytes);
        // a plausible start now and then, so the reader gets past the tensor count
        if (bytes.length >= 4 && random.nextBoolean()) {
            ByteBuffer.wrap(bytes).putInt(random.nextInt(4));
        }
        return bytes;
    }

    /** One random mutation of {@code valid}. */
    public static Case mutate(byte[] valid, Random random) {
        byte[] bytes = valid.clone();
        switch (random.nextInt(7)) {
            case 0 -> {
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips && bytes.length > 0; i++) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return new Case(flips + " bit flips", bytes);
            }
            case 1 -> {
                int length = random.nextInt(bytes.length + 1);
                return new Case("truncated to " + length, Arrays.copyOf(bytes, length));
            }
            case 2 -> {
                int at = random.nextInt(bytes.length + 1);
                byte[] inserted = new byte[1 + random.nextInt(16)];
                random.nextBytes(inserted);
                return new Case(inserted.length + " random bytes spliced in at " + at, splice(bytes, at, at, inserted));
            }
            case 3 -> {
                int from = random.nextInt(bytes.length + 1);
                int to = from + random.nextInt(bytes.length - from + 1);
                return new Case("bytes [" + from + ", " + to + ") cut", splice(bytes, from, to, new byte[0]));
            }
            case 4 -> {
                int from = random.nextInt(bytes.length + 1);
                int to = from + random.nextInt(bytes.length - from + 1);
                int at = random.nextInt(bytes.length + 1);
                return new Case("bytes [" + from + ", " + to + ") repeated at " + at,
                        splice(bytes, at, at, Arrays.copyOfRange(bytes, from, to)));
            }
            case 5 -> {
                if (bytes.length < 4) {
                    return new Case("too short to overwrite", bytes);
                }
                int at = random.nextInt(bytes.length - 3);
                int value = (int) HUGE[random.nextInt(HUGE.length)];
                ByteBuffer.wrap(bytes, at, 4).putInt(value);
                return new Case("int " + value + " written at " + at, bytes);
            }
            default -> {
                if (bytes.length < 8) {
                    return new Case("too short to overwrite", bytes);
                }
                int at = random.nextInt(bytes.length - 7);
                long value = HUGE[random.nextInt(HUGE.length)];
                ByteBuffer.wrap(bytes, at, 8).putLong(value);
                return new Case("long " + value + " written at " + at, bytes);
            }
        }
    }

    /**
     * One random mutation inside a tensor header of {@code valid} (the ~100 bytes from a tensor's
     * {@code "NDAR"}), where most bit flips are refused rather than landing in the data: for deltas
     * whose data dwarfs their headers.
     */
    public static Case mutateHeader(byte[] valid, Random random) {
        List<Integer> starts = new ArrayList<>();
        byte[] magic = {0, 4, 'N', 'D', 'A', 'R'};
        for (int i = 0; i + magic.length <= valid.length; i++) {
            if (Arrays.equals(valid, i, i + magic.length, magic, 0, magic.length)) {
                starts.add(i);
            }
        }
        if (starts.isEmpty()) {
            return mutate(valid, random);
        }
        int start = Math.max(0, starts.get(random.nextInt(starts.size())) - 4);
        int at = Math.min(valid.length - 1, start + random.nextInt(100));
        byte[] bytes = valid.clone();
        switch (random.nextInt(4)) {
            case 0 -> {
                bytes[at] ^= (byte) (1 << random.nextInt(8));
                return new Case("header bit flip at " + at, bytes);
            }
            case 1 -> {
                if (at + 4 > bytes.length) {
                    return new Case("header truncated to " + at, Arrays.copyOf(bytes, at));
                }
                int value = (int) HUGE[random.nextInt(HUGE.length)];
                ByteBuffer.wrap(bytes, at, 4).putInt(value);
                return new Case("header int " + value + " written at " + at, bytes);
            }
            case 2 -> {
                return new Case("truncated in a header at " + at, Arrays.copyOf(bytes, at));
            }
            default -> {
                byte[] inserted = new byte[1 + random.nextInt(8)];
                random.nextBytes(inserted);
                return new Case(inserted.length + " random bytes spliced into a header at " + at,
                        splice(bytes, at, at, inserted));
            }
        }
    }

    private static byte[] splice(byte[] bytes, int from, int to, byte[] inserted) {
        byte[] out = new byte[bytes.length - (to - from) + inserted.length];
        System.arraycopy(bytes, 0, out, 0, from);
        System.arraycopy(inserted, 0, out, from, inserted.length);
        System.arraycopy(bytes, to, out, from + inserted.length, bytes.length - to);
        return out;
    }

    /** A {@link DeltaCodec#NDLIST_V1} tensor header with every field chosen by the caller. */
    public record Header(int version, int nameFlag, String name, String sparse, String dataType, int rank,
            long[] dims, int layoutCount, int order, int dataLength) {
        /** A well-formed header for {@code name} of {@code shape}. */
        public static Header of(String name, long... shape) {
            long elements = 1;
            for (long dim : shape) {
                elements *= dim;
            }
            return new Header(3, 1, name, "DENSE", "FLOAT32", shape.length, shape, shape.length, '<',
                    (int) (elements * Float.BYTES));
        }

        Header withRank(int value) {
            return new Header(version, nameFlag, name, sparse, dataType, value, dims, layoutCount, order, dataLength);
        }

        Header withDims(long... value) {
            return new Header(version, nameFlag, name, sparse, dataType, value.length, value, layoutCount, order,
                    dataLength);
        }

        Header withLayoutCount(int value) {
            return new Header(version, nameFlag, name, sparse, dataType, rank, dims, value, order, dataLength);
        }

        Header withDataLength(int value) {
            return new Header(version, nameFlag, name, sparse, dataType, rank, dims, layoutCount, order, value);
        }

        Header withDataType(String value) {
            return new Header(version, nameFlag, name, sparse, value, rank, dims, layoutCount, order, dataLength);
        }

        Header withVersion(int value) {
            return new Header(value, nameFlag, name, sparse, dataType, rank, dims, layoutCount, order, dataLength);
        }
    }

    /** {@code count}, then each header followed by {@code dataBytes} bytes of data (not the length it claims). */
    public static byte[] ndlist(int count, List<Header> headers, int dataBytes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(count);
            for (Header header : headers) {
                out.writeUTF("NDAR");
                out.writeInt(header.version());
                out.write(header.nameFlag());
                if (header.nameFlag() == 1) {
                    out.writeUTF(header.name());
                }
                out.writeUTF(header.sparse());
                out.writeUTF(header.dataType());
                out.writeInt(header.rank());
                for (int d = 0; d < Math.min(header.rank(), header.dims().length); d++) {
                    out.writeLong(header.dims()[d]);
                }
                out.writeInt(header.layoutCount());
                for (int d = 0; d < Math.min(header.layoutCount(), 8); d++) {
                    out.writeChar('?');
                }
                out.write(header.order());
                out.writeInt(header.dataLength());
                out.write(new byte[dataBytes]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * About 50 bytes in this project's layout that claim one float32 tensor {@code name} of 2^31
     * elements (8 GiB) and carry none of it: the decoder must refuse them without allocating.
     */
    public static byte[] claimsTwoToThe31Elements(String name) {
        return ndlist(1, List.of(Header.of(name, 1).withDims(1L << 31).withLayoutCount(0)
                .withDataLength(Integer.MAX_VALUE)), 0);
    }

    /**
     * Crafted headers: in this project's layout with the given tensor name (so the name check passes
     * and the later fields are reached), and in the formats DJL's {@code NDList.decode} picks by magic.
     */
    public static List<Case> crafted(String name, long... shape) {
        List<Case> cases = new ArrayList<>();
        Header good = Header.of(name, shape);
        cases.add(new Case("tensor count Integer.MAX_VALUE, nothing after", ndlist(Integer.MAX_VALUE, List.of(), 0)));
        cases.add(new Case("tensor count -1", ndlist(-1, List.of(), 0)));
        cases.add(new Case("tensor count 2^20 over one header", ndlist(1 << 20, List.of(good), 0)));
        cases.add(new Case("2^31 elements claimed", claimsTwoToThe31Elements(name)));
        cases.add(new Case("rank Integer.MAX_VALUE", ndlist(1, List.of(good.withRank(Integer.MAX_VALUE)), 0)));
        cases.add(new Case("rank -1", ndlist(1, List.of(good.withRank(-1)), 0)));
        cases.add(new Case("rank 9", ndlist(1, List.of(good.withDims(1, 1, 1, 1, 1, 1, 1, 1, 1)), 0)));
        cases.add(new Case("dimension Long.MAX_VALUE", ndlist(1, List.of(good.withDims(Long.MAX_VALUE)), 0)));
        cases.add(new Case("dimensions 2^31 x 2^31", ndlist(1, List.of(good.withDims(1L << 31, 1L << 31)), 0)));
        cases.add(new Case("negative dimension", ndlist(1, List.of(good.withDims(-2, -8)), 0)));
        cases.add(new Case("layout count Integer.MAX_VALUE",
                ndlist(1, List.of(good.withLayoutCount(Integer.MAX_VALUE)), 0)));
        cases.add(new Case("data length Integer.MAX_VALUE", ndlist(1, List.of(good.withDataLength(Integer.MAX_VALUE)), 0)));
        cases.add(new Case("data length -1", ndlist(1, List.of(good.withDataLength(-1)), 0)));
        cases.add(new Case("data missing", ndlist(1, List.of(good), 0)));
        cases.add(new Case("float64 data type", ndlist(1, List.of(good.withDataType("FLOAT64")), 0)));
        cases.add(new Case("string data type", ndlist(1, List.of(good.withDataType("STRING")), 0)));
        cases.add(new Case("version 2", ndlist(1, List.of(good.withVersion(2)), 0)));
        cases.add(new Case("version Integer.MAX_VALUE", ndlist(1, List.of(good.withVersion(Integer.MAX_VALUE)), 0)));
        byte[] longName = ndlist(1, List.of(good), 0);
        longName[4 + 6 + 4 + 1] = (byte) 0xFF; // name length 0xFF.. with a few bytes behind it
        longName[4 + 6 + 4 + 2] = (byte) 0xFF;
        cases.add(new Case("name length 65535", longName));
        cases.add(new Case("npy: shape (2147483648,) float32", npy("{'descr': '<f4', 'fortran_order': False, "
                + "'shape': (2147483648,), }")));
        cases.add(new Case("npy: shape (2^62, 4)", npy("{'descr': '<f4', 'fortran_order': False, "
                + "'shape': (4611686018427387904, 4), }")));
        cases.add(new Case("npz: local header of 2^32-1 bytes", npz()));
        cases.add(new Case("safetensors: header length 2^40", safetensors(1L << 40, "{")));
        cases.add(new Case("safetensors: 2^31 elements", safetensors(-1, "{\"" + name
                + "\":{\"dtype\":\"F32\",\"shape\":[2147483648],\"data_offsets\":[0,8589934592]}}")));
        return cases;
    }

    private static byte[] npy(String header) {
        byte[] text = header.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(10 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        out.putShort((short) text.length).put(text);
        return out.array();
    }

    private static byte[] npz() {
        ByteBuffer out = ByteBuffer.allocate(30 + 5).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0).putInt(0).putInt(0)
                .putInt(-1).putInt(-1).putShort((short) 5).putShort((short) 0);
        out.put("w.npy".getBytes(StandardCharsets.US_ASCII));
        return out.array();
    }

    private static byte[] safetensors(long declaredLength, String json) {
        byte[] text = json.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(8 + text.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(declaredLength < 0 ? text.length : declaredLength).put(text).array();
    }

    /** Bytes allocated on the heap by this thread so far (HotSpot's exact per-thread counter). */
    public static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return threads.getCurrentThreadAllocatedBytes();
    }
}
