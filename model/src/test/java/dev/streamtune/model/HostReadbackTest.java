package dev.streamtune.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

@Tag("model")
class HostReadbackTest {

    @Test
    void directBufferPathReturnsTheValuesOfAComputedArray() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray computed = manager.arange(12f).reshape(3, 4).mul(0.5f).transpose(); // not contiguous
            float[] expected = computed.toFloatArray();
            assertArrayEquals(expected, HostReadback.floatsViaDirectBuffer(computed), 0f);
            assertArrayEquals(new float[] {0f, 2f, 4f, 0.5f}, java.util.Arrays.copyOf(expected, 4), 0f);
        }
    }

    @Test
    void directBufferPathWidensOtherTypes() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray argMax = manager.create(new float[] {0f, 3f, 1f, 9f, 2f, 1f}, new Shape(2, 3)).argMax(1);
            assertArrayEquals(new long[] {1, 0}, HostReadback.longsViaDirectBuffer(argMax));
            NDArray ints = manager.create(new int[] {7, -2});
            assertArrayEquals(new float[] {7f, -2f}, HostReadback.floatsViaDirectBuffer(ints), 0f);
            assertEquals(DataType.INT32, ints.getDataType(), "the source array keeps its type");
        }
    }

    @Test
    void repeatedReadsDoNotAccumulate() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray value = manager.create(new float[] {1.5f});
            assertEquals(1.5f, HostReadback.scalar(value));
            assertEquals(1.5f, HostReadback.floatsViaDirectBuffer(value)[0]);
            assertEquals(1.5f, HostReadback.floatsViaDirectBuffer(value)[0]);
            assertThrows(IllegalArgumentException.class, () -> HostReadback.scalar(manager.zeros(new Shape(2))));
        }
    }
}
