package dev.streamtune.model.delta;

import java.util.Arrays;
import java.util.Objects;

/** The name and shape a tensor in a delta must have. */
public record TensorSpec(String name, long[] shape) {
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        elementCount(name, shape);
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        return elementCount(name, shape);
    }

    static long elementCount(String name, long[] shape) {
        long count = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension in "
                        + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, dim);
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + count
                    + " elements, more than a Java array holds (" + (Integer.MAX_VALUE - 8) + ")");
        }
        return count;
    }

    public boolean matches(long[] otherShape) {
        return Arrays.equals(shape, otherShape);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorSpec that && name.equals(that.name) && Arrays.equals(shape, that.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
