package dev.streamtune.model.delta;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A read cursor over untrusted bytes in {@link java.io.DataOutputStream}'s big-endian layout. Every
 * read checks the bytes actually remaining first, and every count or length that would size an
 * allocation is checked against its limit and against what the remaining bytes can hold, so a
 * header claiming 2^31 elements is refused before anything that large exists. Any violation is a
 * {@link DeltaRejectedException} naming the field, the value and the limit; nothing here throws an
 * {@link Error}, an {@link IndexOutOfBoundsException} or a {@link java.nio.BufferUnderflowException}.
 */
public final class BoundedBytes {
    private final byte[] bytes;
    private final int end;
    private final String what;
    private int position;

    /** @param what names the whole input in messages, e.g. {@code "delta"} or {@code "checkpoint"} */
    public BoundedBytes(byte[] bytes, String what) {
        this(bytes, 0, bytes.length, what);
    }

    /** A cursor over {@code bytes[from, to)}. */
    public BoundedBytes(byte[] bytes, int from, int to, String what) {
        if (from < 0 || to < from || to > bytes.length) {
            throw new IllegalArgumentException("range [" + from + ", " + to + ") is outside the " + bytes.length + " bytes");
        }
        this.bytes = bytes;
        this.position = from;
        this.end = to;
        this.what = what;
    }

    public int position() {
        return position;
    }

    public int remaining() {
        return end - position;
    }

    /** A refusal of malformed input naming {@code field}, with where in the input it happened. */
    public DeltaRejectedException reject(String field, String problem) {
        return refuse(what + ": " + field + " " + problem);
    }

    /** A refusal of well-formed but unacceptable content, with where in the input it happened. */
    public DeltaRejectedException refuse(String message) {
        return new DeltaRejectedException(message + " (at byte " + position + " of " + end + ")");
    }

    private void need(int count, String field) {
        if (count > remaining()) {
            throw reject(field, "needs " + count + " bytes but only " + remaining() + " remain");
        }
    }

    public byte readByte(String field) {
        need(1, field);
        return bytes[position++];
    }

    public int readInt(String field) {
        need(Integer.BYTES, field);
        int value = ByteBuffer.wrap(bytes, position, Integer.BYTES).getInt();
        position += Integer.BYTES;
        return value;
    }

    public long readLong(String field) {
        need(Long.BYTES, field);
        long value = ByteBuffer.wrap(bytes, position, Long.BYTES).getLong();
        position += Long.BYTES;
        return value;
    }

    public float readFloat(String field) {
        return Float.intBitsToFloat(readInt(field));
    }

    public char readChar(String field) {
        need(Character.BYTES, field);
        char value = ByteBuffer.wrap(bytes, position, Character.BYTES).getChar();
        position += Character.BYTES;
        return value;
    }

    /**
     * A string in {@link java.io.DataOutputStream#writeUTF}'s layout (two length bytes, then
     * modified UTF-8), of at most {@code maxBytes} encoded bytes.
     */
    public String readUtf(String field, int maxBytes) {
        need(2, field + " length");
        int length = ((bytes[position] & 0xff) << 8) | (bytes[position + 1] & 0xff);
        if (length > maxBytes) {
            throw reject(field, "is " + length + " bytes long, more than the limit of " + maxBytes);
        }
        need(2 + length, field);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, position, 2 + length))) {
            String value = in.readUTF();
            position += 2 + length;
            return value;
        } catch (IOException e) {
            throw reject(field, "is not modified UTF-8: " + e.getMessage());
        }
    }

    /**
     * A non-negative int count of items, each taking at least {@code minBytesEach} of the remaining
     * bytes, of at most {@code max}.
     */
    public int readCount(String field, int max, int minBytesEach) {
        return checkCount(field, readInt(field), max, minBytesEach);
    }

    /** Checks a count already read: non-negative, at most {@code max}, and that many items fit the remaining bytes. */
    public int checkCount(String field, long count, long max, int minBytesEach) {
        if (count < 0 || count > max) {
            throw reject(field, "= " + count + " is outside [0, " + max + "]");
        }
        if (minBytesEach > 0 && count > remaining() / minBytesEach) {
            throw reject(field, "= " + count + " needs at least " + count * minBytesEach + " bytes but only "
                    + remaining() + " remain");
        }
        return (int) count;
    }

    /** {@code count} float32 values in {@code order}; the bytes are checked to be present before the array exists. */
    public float[] readFloats(String field, int count, ByteOrder order) {
        checkCount(field, count, Integer.MAX_VALUE / Float.BYTES, Float.BYTES);
        float[] values = new float[count];
        ByteBuffer.wrap(bytes, position, count * Float.BYTES).order(order).asFloatBuffer().get(values);
        position += count * Float.BYTES;
        return values;
    }

    /** {@code count} big-endian shorts; the bytes are checked to be present before the array exists. */
    public short[] readShorts(String field, int count) {
        checkCount(field, count, Integer.MAX_VALUE / Short.BYTES, Short.BYTES);
        short[] values = new short[count];
        ByteBuffer.wrap(bytes, position, count * Short.BYTES).asShortBuffer().get(values);
        position += count * Short.BYTES;
        return values;
    }

    public void skip(String field, int count) {
        need(count, field);
        position += count;
    }

    /** Refuses trailing bytes. */
    public void expectEnd() {
        if (remaining() != 0) {
            throw reject("end", "expected, but " + remaining() + " bytes remain unread");
        }
    }
}
