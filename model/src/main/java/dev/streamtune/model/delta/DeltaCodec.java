package dev.streamtune.model.delta;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Encodes trained tensors as a {@link Delta} in DJL's NDList encoding (named float32 arrays, no
 * code, no pickle) and decodes them back, refusing anything that is not exactly what is expected.
 */
public final class DeltaCodec {
    /** DJL's {@code NDList.encode()} byte layout holding named float32 tensors. */
    public static final String NDLIST_V1 = "djl-ndlist-v1";

    private DeltaCodec() {
    }

    public static Delta encode(List<NamedTensor> tensors) {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDList list = new NDList(tensors.size());
            for (NamedTensor tensor : tensors) {
                NDArray array = manager.create(tensor.valuesView(), new Shape(tensor.shape()));
                array.setName(tensor.name());
                list.add(array);
            }
            return Delta.of(NDLIST_V1, list.encode());
        }
    }

    /**
     * Verifies format, digest, names and shapes, then returns the tensors in {@code expected}'s order.
     *
     * @throws DeltaRejectedException naming what is wrong
     */
    public static List<NamedTensor> decode(Delta delta, List<TensorSpec> expected) {
        if (!NDLIST_V1.equals(delta.format())) {
            throw new DeltaRejectedException("unknown delta format '" + delta.format() + "'; this build reads only '"
                    + NDLIST_V1 + "'");
        }
        delta.verifyDigest();
        Map<String, NamedTensor> byName = new HashMap<>();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDList list;
            try {
                list = NDList.decode(manager, delta.bytes());
            } catch (RuntimeException e) {
                throw new DeltaRejectedException("delta bytes are not a readable " + NDLIST_V1 + " encoding: "
                        + e.getMessage(), e);
            }
            for (NDArray array : list) {
                String name = array.getName();
                if (name == null || name.isBlank()) {
                    throw new DeltaRejectedException("delta holds an unnamed tensor of shape " + array.getShape());
                }
                if (array.getDataType() != DataType.FLOAT32) {
                    throw new DeltaRejectedException("delta tensor '" + name + "' is " + array.getDataType()
                            + ", expected float32");
                }
                if (byName.put(name, new NamedTensor(name, array.getShape().getShape(), array.toFloatArray())) != null) {
                    throw new DeltaRejectedException("delta holds tensor '" + name + "' twice");
                }
            }
        }
        Set<String> expectedNames = new HashSet<>();
        List<NamedTensor> ordered = new ArrayList<>(expected.size());
        for (TensorSpec spec : expected) {
            expectedNames.add(spec.name());
            NamedTensor tensor = byName.get(spec.name());
            if (tensor == null) {
                throw new DeltaRejectedException("delta lacks tensor '" + spec.name() + "'; it holds " + byName.keySet());
            }
            if (!spec.matches(tensor.shape())) {
                throw new DeltaRejectedException("delta tensor '" + spec.name() + "' has shape "
                        + new Shape(tensor.shape()) + ", expected " + new Shape(spec.shape()));
            }
            ordered.add(tensor);
        }
        for (String name : byName.keySet()) {
            if (!expectedNames.contains(name)) {
                throw new DeltaRejectedException("delta holds unexpected tensor '" + name + "'; expected " + expected);
            }
        }
        return ordered;
    }
}
