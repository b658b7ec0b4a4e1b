package dev.streamtune.model.encoder;

import java.nio.charset.StandardCharsets;

/**
 * Reads the protobuf wire format from a byte array: just enough (varints, fixed 32/64-bit values,
 * length-delimited fields) to walk an ONNX model. A length-delimited field is read as a view
 * ({@link #readMessage()}), so the ~90 MB of weights are never copied until a tensor is built.
 */
final class ProtobufReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] buffer;
    private final int limit;
    private int position;
    private int lastTag;

    ProtobufReader(byte[] buffer) {
        this(buffer, 0, buffer.length);
    }

    private ProtobufReader(byte[] buffer, int offset, int limit) {
        this.buffer = buffer;
        this.position = offset;
        this.limit = limit;
    }

    boolean hasMore() {
        return position < limit;
    }

    /** Reads the next field's tag; {@link #fieldNumber()} and {@link #wireType()} describe it. */
    void readTag() {
        long tag = readVarint();
        if (tag <= 0 || tag > Integer.MAX_VALUE) {
            throw malformed("invalid field tag " + tag);
        }
        lastTag = (int) tag;
    }

    int fieldNumber() {
        return lastTag >>> 3;
    }

    int wireType() {
        return lastTag & 7;
    }

    long readVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= limit) {
                throw malformed("varint runs past the end of its message");
            }
            byte b = buffer[position++];
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw malformed("varint longer than 10 bytes");
    }

    /** The bytes of a length-delimited field as a reader over the same array (no copy). */
    ProtobufReader readMessage() {
        int length = readLength();
        ProtobufReader message = new ProtobufReader(buffer, position, position + length);
        position += length;
        return message;
    }

    String readString() {
        int length = readLength();
        String text = new String(buffer, position, length, StandardCharsets.UTF_8);
        position += length;
        return text;
    }

    /** The remaining bytes of this (sub)message, as offset and length into {@link #buffer()}. */
    int offset() {
        return position;
    }

    int remaining() {
        return limit - position;
    }

    byte[] buffer() {
        return buffer;
    }

    int readLength() {
        long length = readVarint();
        if (length < 0 || length > limit - position) {
            throw malformed("length-delimited field of " + length + " bytes runs past the end of its message ("
                    + (limit - position) + " bytes left)");
        }
        return (int) length;
    }

    void skipField() {
        switch (wireType()) {
            case VARINT -> readVarint();
            case FIXED64 -> skip(8);
            case LENGTH_DELIMITED -> skip(readLength());
            case FIXED32 -> skip(4);
            default -> throw malformed("unsupported wire type " + wireType() + " for field " + fieldNumber());
        }
    }

    private void skip(int bytes) {
        if (bytes > limit - position) {
            throw malformed("field of " + bytes + " bytes runs past the end of its message");
        }
        position += bytes;
    }

    private IllegalStateException malformed(String what) {
        return new IllegalStateException("malformed protobuf at byte " + position + ": " + what);
    }
}
