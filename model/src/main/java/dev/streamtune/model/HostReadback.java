package dev.streamtune.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies an array's values into Java memory without asking the engine for a data pointer when the
 * array lives on a GPU.
 *
 * <p>Why: DJL 0.36 reads an array back through {@code Tensor::data_ptr()}, an inline accessor
 * compiled into its JNI library against libtorch 2.7.1. The only CUDA libtorch on our GPU nodes is
 * a newer one (2.11, from the Python wheel), whose tensor layout differs, so that accessor fails
 * ("Cannot access data pointer of Tensor that doesn't have storage") while ordinary operators, which
 * go through libtorch's exported dispatcher, work. So for a GPU array we wrap a zeroed direct
 * {@link ByteBuffer} as a CPU tensor (PyTorch's {@code from_blob}: no copy), add the array moved
 * to the CPU into it in place (dispatcher calls only), and read the buffer from Java. CPU arrays
 * take DJL's normal path, which is the same result with one copy less.
 */
public final class HostReadback {
    private HostReadback() {
    }

    /** The array's values as float32, row-major. */
    public static float[] floats(NDArray array) {
        if (!array.getDevice().isGpu()) {
            return array.getDataType() == DataType.FLOAT32 ? array.toFloatArray()
                    : toFloatOnSameDevice(array);
        }
        return floatsViaDirectBuffer(array);
    }

    /** The GPU path, usable on any device (tests run it on the CPU). */
    static float[] floatsViaDirectBuffer(NDArray array) {
        ByteBuffer sink = viaDirectBuffer(array, DataType.FLOAT32, Float.BYTES);
        float[] values = new float[Math.toIntExact(array.size())];
        sink.asFloatBuffer().get(values);
        return values;
    }

    /** The array's values as int64, row-major (e.g. an {@code argMax}). */
    public static long[] longs(NDArray array) {
        if (!array.getDevice().isGpu()) {
            if (array.getDataType() == DataType.INT64) {
                return array.toLongArray();
            }
            try (NDArray wide = array.toType(DataType.INT64, true)) {
                return wide.toLongArray();
            }
        }
        return longsViaDirectBuffer(array);
    }

    static long[] longsViaDirectBuffer(NDArray array) {
        ByteBuffer sink = viaDirectBuffer(array, DataType.INT64, Long.BYTES);
        long[] values = new long[Math.toIntExact(array.size())];
        sink.asLongBuffer().get(values);
        return values;
    }

    /** The single value of a one-element array. */
    public static float scalar(NDArray array) {
        if (array.size() != 1) {
            throw new IllegalArgumentException("expected a one-element array, got shape " + array.getShape());
        }
        return floats(array)[0];
    }

    private static float[] toFloatOnSameDevice(NDArray array) {
        try (NDArray converted = array.toType(DataType.FLOAT32, true)) {
            return converted.toFloatArray();
        }
    }

    private static ByteBuffer viaDirectBuffer(NDArray array, DataType type, int bytesPerValue) {
        // allocateDirect memory is zeroed, so adding into it leaves exactly the array's values
        ByteBuffer sink = ByteBuffer.allocateDirect(Math.toIntExact(array.size() * bytesPerValue))
                .order(ByteOrder.nativeOrder());
        NDArray typed = array.getDataType() == type ? array : array.toType(type, true);
        try (NDManager host = NDManager.newBaseManager(Device.cpu(), array.getManager().getEngine().getEngineName());
             NDArray onHost = typed.toDevice(Device.cpu(), true)) {
            NDArray target = host.create(sink, array.getShape(), type);
            target.addi(onHost);
        } finally {
            if (typed != array) {
                typed.close();
            }
        }
        return sink.order(ByteOrder.nativeOrder());
    }
}
