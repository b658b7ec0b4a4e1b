package dev.streamtune.model.head;

import java.util.Objects;
import java.util.regex.Pattern;

/** The frozen backbone a delta was trained on: its id and the sha256 of its weights file. */
public record BaseModelRef(String backboneId, String weightsSha256) {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public BaseModelRef {
        Objects.requireNonNull(backboneId, "backboneId");
        Objects.requireNonNull(weightsSha256, "weightsSha256");
        if (backboneId.isBlank()) {
            throw new IllegalArgumentException("backboneId must not be blank");
        }
        if (!SHA256_HEX.matcher(weightsSha256).matches()) {
            throw new IllegalArgumentException("weightsSha256 must be 64 lower-case hex digits, got '" + weightsSha256 + "'");
        }
    }
}
