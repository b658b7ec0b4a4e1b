package dev.streamtune.model.backbone;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Process-wide memo of weights digests, so a 90 MB file is hashed once however many embedders,
 * trainers and version writers ask for it. Keyed by the backbone descriptor (records compare by value).
 */
final class WeightDigests {

    private static final Map<Backbone, String> DIGESTS = new ConcurrentHashMap<>();

    private WeightDigests() {
    }

    static String remember(Backbone backbone, String sha256) {
        DIGESTS.putIfAbsent(backbone, sha256);
        return sha256;
    }

    static String computeIfAbsent(Backbone backbone, Supplier<String> digest) {
        return DIGESTS.computeIfAbsent(backbone, b -> digest.get());
    }
}
