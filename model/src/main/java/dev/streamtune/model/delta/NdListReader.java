package dev.streamtune.model.delta;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A strict reader of exactly {@link DeltaCodec#NDLIST_V1}: the byte layout DJL's
 * {@code NDList.encode()} writes, parsed in plain Java without an engine or an {@code NDManager}.
 * Unlike DJL's {@code NDList.decode}, it never picks another parser from the bytes' magic (npz, npy,
 * safetensors) and trusts no header: before anything is allocated, the tensor count, every name,
 * rank, dimension, data type and data length is checked against the bytes remaining and against
 * {@link Limits} that follow from what the caller expects, so the largest allocation is the tensor
 * that is actually there and expected. Any violation is a {@link DeltaRejectedException}.
 *
 * <p>The layout, all big-endian ({@link java.io.DataOutputStream}): an int tensor count, then per
 * tensor the UTF string {@code "NDAR"}, int version {@code 3}, a byte {@code 1} and the UTF name, the
 * UTF sparse format {@code "DENSE"}, the UTF data type {@code "FLOAT32"}, the shape (int rank, that
 * many long dimensions, int layout count, that many layout chars), the byte order char {@code '<'}
 * and the int byte length of the data, then the little-endian data.
 */
public final class NdListReader {
    /** Highest rank accepted: the project's tensors are vectors and matrices; 8 leaves room. */
    public static final int MAX_RANK = 8;
    /** Longest tensor name accepted, in encoded bytes. */
    public static final int MAX_NAME_BYTES = 1024;
    private static final String MAGIC = "NDAR";
    private static final int VERSION = 3;
    private static final String DENSE = "DENSE";
    private static final String FLOAT32 = "FLOAT32";
    private static final String LAYOUT_CHARS = "NCDHWT?";
    /** The fewest bytes one encoded tensor can take: a scalar with a one-byte name and no data. */
    private static final int MIN_TENSOR_BYTES = (2 + MAGIC.length()) + 4 + 1 + (2 + 1) + (2 + DENSE.length())
            + (2 + FLOAT32.length()) + 4 + 4 + 1 + 4;

    private NdListReader() {
    }

    /**
     * What a reader accepts.
     *
     * @param maxTensors       the most tensors the bytes may hold
     * @param maxTotalElements the most float32 elements over all tensors
     * @param specs            the spec a tensor of a given name must match, or null for a name not expected
     * @param expected         how the expected tensors are named in refusals
     */
    public record Limits(int maxTensors, long maxTotalElements, Function<String, TensorSpec> specs, String expected) {
        public Limits {
            Objects.requireNonNull(specs, "specs");
            Objects.requireNonNull(expected, "expected");
            if (maxTensors < 0) {
                throw new IllegalArgumentException("maxTensors must be >= 0, got " + maxTensors);
            }
            if (maxTotalElements < 0) {
                throw new IllegalArgumentException("maxTotalElements must be >= 0, got " + maxTotalElements);
            }
        }

        /** Exactly the tensors {@code expected} lists (any order): nothing else, each at most once, of its shape. */
        public static Limits exactly(List<TensorSpec> expected) {
            Map<String, TensorSpec> byName = new LinkedHashMap<>();
            long total = 0;
            for (TensorSpec spec : expected) {
                if (byName.put(spec.name(), spec) != null) {
                    throw new IllegalArgumentException("expected tensor '" + spec.name() + "' is listed twice");
                }
                total = Math.addExact(total, spec.elementCount());
            }
            return new Limits(expected.size(), total, byName::get, expected.toString());
        }
    }

    /** A tensor's name and shape, read without its data. */
    public record Header(String name, long[] shape) {
        public Header {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    /** The tensors, in the order the bytes hold them. */
    public static List<NamedTensor> read(byte[] bytes, Limits limits) {
        List<NamedTensor> tensors = new ArrayList<>();
        parse(bytes, limits, true, (header, values) -> tensors.add(new NamedTensor(header.name(), header.shape(), values)));
        return tensors;
    }

    /** Every tensor's name and shape, checked as {@link #read} checks them; the data is skipped, not copied. */
    public static List<Header> scan(byte[] bytes, Limits limits) {
        List<Header> headers = new ArrayList<>();
        parse(bytes, limits, false, (header, values) -> headers.add(header));
        return headers;
    }

    private interface Sink {
        void accept(Header header, float[] values);
    }

    private static void parse(byte[] bytes, Limits limits, boolean withData, Sink sink) {
        BoundedBytes in = new BoundedBytes(bytes, "delta bytes are not a readable " + DeltaCodec.NDLIST_V1 + " encoding");
        int declared = in.readInt("tensor count");
        // first whether the bytes can hold that many (else they are not this format), then whether it is expected
        in.checkCount("tensor count", declared, Integer.MAX_VALUE, MIN_TENSOR_BYTES);
        if (declared > limits.maxTensors()) {
            throw in.refuse("delta holds " + declared + " tensors (tensor count), more than the " + limits.maxTensors()
                    + " expected: " + limits.expected());
        }
        int count = declared;
        Set<String> seen = new HashSet<>();
        long total = 0;
        for (int t = 0; t < count; t++) {
            String at = "tensor " + t;
            String magic = in.readUtf(at + " magic", MAGIC.length());
            if (!MAGIC.equals(magic)) {
                throw in.reject(at + " magic", "is '" + magic + "', expected '" + MAGIC + "'");
            }
            int version = in.readInt(at + " version");
            if (version != VERSION) {
                throw in.reject(at + " version", "is " + version + ", this build reads only " + VERSION);
            }
            byte hasName = in.readByte(at + " name flag");
            if (hasName != 1) {
                throw in.refuse("delta holds an unnamed " + at + " (name flag " + hasName + ")");
            }
            String name = in.readUtf(at + " name", MAX_NAME_BYTES);
            if (name.isBlank()) {
                throw in.refuse("delta holds an unnamed " + at + " (blank name)");
            }
            at = "tensor " + t + " '" + name + "'";
            TensorSpec spec = limits.specs().apply(name);
            if (spec == null) {
                throw in.refuse("delta holds unexpected tensor '" + name + "' (tensor " + t + "); expected "
                        + limits.expected());
            }
            if (!seen.add(name)) {
                throw in.refuse("delta holds tensor '" + name + "' twice (tensor " + t + ")");
            }
            String sparse = in.readUtf(at + " sparse format", 16);
            if (!DENSE.equals(sparse)) {
                throw in.reject(at + " sparse format", "is '" + sparse + "', expected '" + DENSE + "'");
            }
            String dataType = in.readUtf(at + " data type", 16);
            if (!FLOAT32.equals(dataType)) {
                throw in.refuse("delta " + at + " is " + dataType + ", expected float32 (" + FLOAT32 + ")");
            }
            long[] shape = readShape(in, at);
            if (!spec.matches(shape)) {
                throw in.refuse("delta tensor '" + name + "' has shape " + format(shape) + ", expected "
                        + format(spec.shape()) + " (tensor " + t + ")");
            }
            long elements = spec.elementCount();
            total += elements;
            if (total > limits.maxTotalElements()) {
                throw in.refuse("delta " + at + " brings the element count to " + total + ", more than the limit of "
                        + limits.maxTotalElements());
            }
            byte orderChar = in.readByte(at + " byte order");
            if (orderChar != '<') {
                // DJL writes '<' (its engines' native order); its own decoder mis-reads '>' data on PyTorch
                throw in.reject(at + " byte order", "is " + orderChar + ", expected '<' (60, little-endian)");
            }
            int dataBytes = in.readInt(at + " data length");
            if (dataBytes != elements * Float.BYTES) {
                throw in.reject(at + " data length", "is " + dataBytes + " bytes, but " + elements
                        + " float32 elements take " + elements * Float.BYTES);
            }
            if (withData) {
                sink.accept(new Header(name, shape), in.readFloats(at + " data", (int) elements, ByteOrder.LITTLE_ENDIAN));
            } else {
                in.skip(at + " data", dataBytes);
                sink.accept(new Header(name, shape), null);
            }
        }
        in.expectEnd();
    }

    private static long[] readShape(BoundedBytes in, String at) {
        int rank = in.readCount(at + " rank", MAX_RANK, Long.BYTES);
        long[] shape = new long[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = in.readLong(at + " dimension " + d);
            if (shape[d] < 0) {
                throw in.reject(at + " dimension " + d, "= " + shape[d] + " is negative");
            }
        }
        int layouts = in.readInt(at + " layout count");
        if (layouts != 0 && layouts != rank) {
            throw in.reject(at + " layout count", "= " + layouts + ", expected 0 or the rank " + rank);
        }
        for (int d = 0; d < layouts; d++) {
            char layout = in.readChar(at + " layout " + d);
            if (LAYOUT_CHARS.indexOf(layout) < 0) {
                throw in.reject(at + " layout " + d, "is '" + layout + "', expected one of " + LAYOUT_CHARS);
            }
        }
        return shape;
    }

    /** A shape as DJL prints it, e.g. {@code (2, 3)}. */
    static String format(long[] shape) {
        StringBuilder text = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            text.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return text.append(')').toString();
    }
}
