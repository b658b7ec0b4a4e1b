package dev.streamtune.model.head;

import java.util.Arrays;
import java.util.Locale;

/** The shape of the trainable head on the pooled embedding. */
public enum HeadKind {
    /** One affine layer: logits = W x + b. */
    LINEAR,
    /** Affine, ReLU, dropout, affine. */
    MLP;

    public static HeadKind parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("head kind must be one of " + Arrays.toString(values())
                    + " (case-insensitive), got '" + text + "'");
        }
    }
}
