package dev.streamtune.model.technique;

import ai.djl.ndarray.NDManager;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a technique gets to build a trainable model. Techniques that need more than the
 * head (the frozen backbone for prompts or LoRA) look it up by type in {@code resources}, so
 * adding such a technique changes neither this record nor {@link Technique}.
 *
 * @param manager parent manager; its device is the training device
 */
public record TechniqueContext(TechniqueSpec spec, int labelCount, NDManager manager, Map<Class<?>, Object> resources) {
    public TechniqueContext {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(manager, "manager");
        if (labelCount < 1) {
            throw new IllegalArgumentException("labelCount must be at least 1, got " + labelCount);
        }
        resources = Map.copyOf(Objects.requireNonNull(resources, "resources"));
    }

    public TechniqueContext(TechniqueSpec spec, int labelCount, NDManager manager) {
        this(spec, labelCount, manager, Map.of());
    }

    public <T> T require(Class<T> type) {
        Object resource = resources.get(type);
        if (resource == null) {
            throw new IllegalStateException("technique '" + spec.techniqueId() + "' needs a " + type.getName()
                    + " resource; the context holds " + resources.keySet());
        }
        return type.cast(resource);
    }
}
