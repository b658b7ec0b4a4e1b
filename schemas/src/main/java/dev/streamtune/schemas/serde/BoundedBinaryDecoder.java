package dev.streamtune.schemas.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * A binary decoder over a byte array that refuses lengths and item counts the remaining input
 * cannot hold, before anything is allocated. Avro's own decoder trusts a length prefix and
 * allocates first, so a few hostile bytes could ask for gigabytes; here they are a clean error.
 *
 * <p>Limit: a block of more than {@value #MAX_ITEMS_WITHOUT_BYTES} items must be backed by at
 * least as many bytes (only arrays of nulls or empty records could need more).
 */
final class BoundedBinaryDecoder extends Decoder {
    static final int MAX_ITEMS_WITHOUT_BYTES = 65_536;

    private final Decoder in;
    private final int end;
    private final int[] position;

    BoundedBinaryDecoder(byte[] bytes, int offset, int length) {
        this.end = offset + length;
        this.position = new int[] {offset};
        java.io.InputStream counting = new java.io.InputStream() {
            @Override
            public int read() {
                return position[0] < end ? bytes[position[0]++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position[0] >= end) {
                    return -1;
                }
                int n = Math.min(len, end - position[0]);
                System.arraycopy(bytes, position[0], b, off, n);
                position[0] += n;
                return n;
            }

            @Override
            public long skip(long n) {
                int k = (int) Math.max(0, Math.min(n, end - position[0]));
                position[0] += k;
                return k;
            }

            @Override
            public int available() {
                return end - position[0];
            }
        };
        this.in = DecoderFactory.get().directBinaryDecoder(counting, null);
    }

    int remaining() {
        return end - position[0];
    }

    private int checkedLength(long length, String what) throws IOException {
        if (length < 0) {
            throw new IOException("negative " + what + " length " + length);
        }
        if (length > remaining()) {
            throw new IOException(what + " of " + length + " bytes cannot fit in the " + remaining()
                    + " bytes left");
        }
        return (int) length;
    }

    private long checkedCount(long count, String what) throws IOException {
        if (count < 0) {
            // a negative count is followed by the block's byte size; both must be plausible
            throw new IOException("negative " + what + " block count " + count
                    + " (block byte sizes are not written by Confluent serializers)");
        }
        if (count > MAX_ITEMS_WITHOUT_BYTES && count > remaining()) {
            throw new IOException(what + " block of " + count + " items cannot fit in the " + remaining()
                    + " bytes left");
        }
        return count;
    }

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = checkedLength(in.readLong(), "string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        if (length > 0) {
            in.readFixed(result.getBytes(), 0, length);
        }
        return result;
    }

    @Override
    public String readString() throws IOException {
        return readString(null).toString();
    }

    @Override
    public void skipString() throws IOException {
        skipFixed(checkedLength(in.readLong(), "string"));
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = checkedLength(in.readLong(), "bytes");
        byte[] data = new byte[length];
        in.readFixed(data, 0, length);
        return ByteBuffer.wrap(data);
    }

    @Override
    public void skipBytes() throws IOException {
        skipFixed(checkedLength(in.readLong(), "bytes"));
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        checkedLength(length, "fixed");
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        checkedLength(length, "fixed");
        in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public long readArrayStart() throws IOException {
        return checkedCount(in.readLong(), "array");
    }

    @Override
    public long arrayNext() throws IOException {
        return checkedCount(in.readLong(), "array");
    }

    @Override
    public long skipArray() throws IOException {
        return checkedCount(in.readLong(), "array");
    }

    @Override
    public long readMapStart() throws IOException {
        return checkedCount(in.readLong(), "map");
    }

    @Override
    public long mapNext() throws IOException {
        return checkedCount(in.readLong(), "map");
    }

    @Override
    public long skipMap() throws IOException {
        return checkedCount(in.readLong(), "map");
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }
}
