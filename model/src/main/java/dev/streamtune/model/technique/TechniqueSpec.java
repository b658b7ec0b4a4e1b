package dev.streamtune.model.technique;

import dev.streamtune.model.head.HeadSpec;
import java.util.Map;
import java.util.Objects;

/**
 * Which technique trains and with what shape: every technique ends in a classification head;
 * technique-specific settings (prompt length, LoRA rank, ...) go in {@code options}.
 */
public record TechniqueSpec(String techniqueId, HeadSpec head, Map<String, String> options) {
    public TechniqueSpec {
        Objects.requireNonNull(techniqueId, "techniqueId");
        Objects.requireNonNull(head, "head");
        if (techniqueId.isBlank()) {
            throw new IllegalArgumentException("techniqueId must not be blank");
        }
        options = Map.copyOf(Objects.requireNonNull(options, "options"));
    }

    public static TechniqueSpec headOnly(HeadSpec head) {
        return new TechniqueSpec(HeadOnlyTechnique.ID, head, Map.of());
    }
}
