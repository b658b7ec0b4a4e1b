package dev.streamtune.model.delta;

import java.util.Arrays;
import java.util.Objects;

/** A float32 tensor held on the Java heap: the engine-neutral form of trained weights. */
public record NamedTensor(String name, long[] shape, float[] values) {
    public NamedTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(values, "values");
        if (name.isBlank()) {
            throw new IllegalArgumentException("tensor name must not be blank");
        }
        long count = TensorSpec.elementCount(name, shape);
        if (count != values.length) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + " (" + count + " elements) but " + values.length + " values");
        }
        shape = shape.clone();
        values = values.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    /** The values without a defensive copy, for read-only hot paths inside this project. */
    public float[] valuesView() {
        return values;
    }

    public TensorSpec spec() {
        return new TensorSpec(name, shape);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NamedTensor that && name.equals(that.name)
                && Arrays.equals(shape, that.shape) && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(values));
    }

    @Override
    public String toString() {
        return "NamedTensor[" + name + " " + Arrays.toString(shape) + "]";
    }
}
