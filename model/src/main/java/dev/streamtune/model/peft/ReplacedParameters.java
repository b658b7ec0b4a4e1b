package dev.streamtune.model.peft;

import ai.djl.ndarray.NDArray;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Trainable copies standing in for the encoder parameters of the same name (BitFit, unfreezing). */
final class ReplacedParameters implements Adaptation {
    private final List<NDArray> parameters;
    private final Map<String, NDArray> byName = new HashMap<>();

    ReplacedParameters(List<NDArray> parameters) {
        this.parameters = parameters;
        for (NDArray parameter : parameters) {
            byName.put(parameter.getName(), parameter);
        }
    }

    @Override
    public List<NDArray> parameters() {
        return parameters;
    }

    @Override
    public NDArray parameter(String name, NDArray frozen) {
        return byName.getOrDefault(name, frozen);
    }
}
