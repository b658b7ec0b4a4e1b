package dev.streamtune.model.delta;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Encodes trained tensors as a {@link Delta} in DJL's NDList encoding (named float32 arrays, no
 * code, no pickle) and decodes them back with {@link NdListReader}, refusing anything that is not
 * exactly what is expected.
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
     * The bytes are read by {@link NdListReader} alone, never by a parser chosen from their content,
     * and nothing larger than an expected tensor that is actually present is allocated.
     *
     * @throws DeltaRejectedException naming what is wrong
     */
    public static List<NamedTensor> decode(Delta delta, List<TensorSpec> expected) {
        requireFormat(delta);
        delta.verifyDigest();
        Map<String, NamedTensor> byName = new HashMap<>();
        for (NamedTensor tensor : NdListReader.read(delta.bytes(), NdListReader.Limits.exactly(expected))) {
            byName.put(tensor.name(), tensor);
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
                        + NdListReader.format(tensor.shape()) + ", expected " + NdListReader.format(spec.shape()));
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

    /**
     * The names and shapes a delta holds, read under {@code limits} without copying the data:
     * for a caller that needs the layout to know what to expect (ATTEMPT's carried source prompts).
     * Format and digest are checked first.
     */
    public static List<NdListReader.Header> scan(Delta delta, NdListReader.Limits limits) {
        requireFormat(delta);
        delta.verifyDigest();
        return NdListReader.scan(delta.bytes(), limits);
    }

    private static void requireFormat(Delta delta) {
        if (!NDLIST_V1.equals(delta.format())) {
            throw new DeltaRejectedException("unknown delta format '" + delta.format() + "'; this build reads only '"
                    + NDLIST_V1 + "'");
        }
    }
}
