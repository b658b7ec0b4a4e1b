package dev.streamtune.loader;

import dev.streamtune.avro.ModelVersion;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaRejectedException;
import dev.streamtune.model.head.BaseModelRef;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueSettings;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.Techniques;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link ModelVersion} event into a {@link LoadedModel}, or refuses it with a {@link ModelRejectedException}
 * that names what was wrong. Checks, in order, each before anything is decoded:
 * <ol>
 *   <li>the metadata: task, version ≥ 1, at least 2 distinct labels, a 64-hex delta digest;
 *   <li>the backbone id is one this process ships;
 *   <li>the base sha256 equals the sha256 of the local backbone weights (a delta trained on other weights would
 *       load and silently predict garbage);
 *   <li>the delta bytes: inline, or fetched by URI from the artifact store, no larger than the limit and exactly
 *       the declared size;
 *   <li>the bytes hash to the declared sha256;
 *   <li>a {@link ModelFactory} for the technique decodes them into exactly the tensors the technique spec expects.
 * </ol>
 * Thread-safe; it holds no mutable state.
 */
public final class ModelLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLoader.class);
    /** Largest delta accepted by default: the biggest technique (unfrozen top layers) stays well under this. */
    public static final long DEFAULT_MAX_DELTA_BYTES = 256L * 1024 * 1024;
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final BackboneRegistry backbones;
    private final Optional<ArtifactStore> artifacts;
    private final TextEncoderProvider encoders;
    private final Map<String, ModelFactory> factories;
    private final long maxDeltaBytes;

    /**
     * @param backbones the backbones this process ships
     * @param artifacts where URI-addressed deltas are fetched; empty refuses every delta that is not inline
     * @param encoders  the frozen encoders models predict text through ({@link TextEncoderProvider#NONE} for
     *                  feature-only use)
     * @param factories one per technique id
     * @param maxDeltaBytes the largest delta accepted, ≥ 1
     */
    public ModelLoader(BackboneRegistry backbones, Optional<ArtifactStore> artifacts, TextEncoderProvider encoders,
            List<? extends ModelFactory> factories, long maxDeltaBytes) {
        if (backbones == null) {
            throw new IllegalArgumentException("backbones must not be null");
        }
        if (artifacts == null) {
            throw new IllegalArgumentException("artifacts must not be null (Optional.empty() for inline deltas only)");
        }
        if (encoders == null) {
            throw new IllegalArgumentException("encoders must not be null (TextEncoderProvider.NONE for features only)");
        }
        if (maxDeltaBytes < 1) {
            throw new IllegalArgumentException("maxDeltaBytes must be >= 1, got " + maxDeltaBytes);
        }
        Map<String, ModelFactory> byId = new LinkedHashMap<>();
        for (ModelFactory factory : factories) {
            ModelFactory previous = byId.putIfAbsent(factory.techniqueId(), factory);
            if (previous != null) {
                throw new IllegalArgumentException("technique '" + factory.techniqueId() + "' has two model factories: "
                        + previous.getClass().getName() + " and " + factory.getClass().getName());
            }
        }
        this.backbones = backbones;
        this.artifacts = artifacts;
        this.encoders = encoders;
        this.factories = Map.copyOf(byId);
        this.maxDeltaBytes = maxDeltaBytes;
    }

    /** The standard backbones and a {@link ModelFactory} for every technique on the class path. */
    public static ModelLoader standard(Optional<ArtifactStore> artifacts, TextEncoderProvider encoders) {
        return new ModelLoader(BackboneRegistry.standard(), artifacts, encoders, discoverFactories(),
                DEFAULT_MAX_DELTA_BYTES);
    }

    /** A factory for every technique of the one registry ({@link Techniques}) that this loader can serve. */
    public static List<ModelFactory> discoverFactories() {
        List<ModelFactory> found = new ArrayList<>();
        for (Technique technique : Techniques.available()) {
            ModelFactory.forTechnique(technique).ifPresentOrElse(found::add,
                    () -> LOG.warn("technique '{}' is on the class path but no model factory serves it", technique.id()));
        }
        return found;
    }

    /** Technique ids this loader can load. */
    public Set<String> techniques() {
        return factories.keySet();
    }

    /**
     * Verifies and loads one version.
     *
     * @throws ModelRejectedException with the reason and a message naming the field and what was wrong
     */
    public LoadedModel load(ModelVersion version) {
        if (version == null) {
            throw new ModelRejectedException(RejectionReason.INVALID_METADATA, null, 0, "model version must not be null");
        }
        String task = version.getTask();
        long number = version.getVersion();
        List<String> labels = checkMetadata(version, task, number);

        String backboneId = version.getBase().getBackbone();
        Backbone backbone;
        try {
            backbone = backbones.byId(backboneId);
        } catch (IllegalArgumentException e) {
            throw reject(RejectionReason.UNKNOWN_BACKBONE, task, number, "base.backbone: " + e.getMessage());
        }
        String declaredBase = version.getBase().getSha256();
        String localBase = backbone.weightsSha256();
        if (!localBase.equals(declaredBase)) {
            throw reject(RejectionReason.BASE_MISMATCH, task, number, "base.sha256 is " + declaredBase
                    + " but the local weights of backbone '" + backboneId + "' hash to " + localBase
                    + "; the delta was trained on other weights");
        }

        byte[] bytes = deltaBytes(version, task, number);
        String declaredDigest = version.getDelta().getSha256();
        String actualDigest = Delta.sha256Hex(bytes);
        if (!actualDigest.equals(declaredDigest)) {
            throw reject(RejectionReason.DIGEST_MISMATCH, task, number, "delta.sha256 is " + declaredDigest
                    + " but the " + bytes.length + " delta bytes hash to " + actualDigest);
        }

        ModelFactory factory = factories.get(version.getTechnique());
        if (factory == null) {
            throw reject(RejectionReason.UNSUPPORTED_TECHNIQUE, task, number, "technique '" + version.getTechnique()
                    + "' has no model factory here; loadable: " + factories.keySet());
        }
        TechniqueSpec spec;
        try {
            spec = TechniqueSettings.fromSettings(version.getTechnique(), backbone.hiddenSize(),
                    version.getHyperparameters());
        } catch (IllegalArgumentException e) {
            throw reject(RejectionReason.INVALID_METADATA, task, number, "hyperparameters: " + e.getMessage());
        }
        ModelArtifact artifact;
        try {
            artifact = new ModelArtifact(task, number, labels, backbone, new BaseModelRef(backboneId, declaredBase),
                    spec, new Delta(version.getDelta().getFormat(), bytes, declaredDigest));
        } catch (IllegalArgumentException e) {
            throw reject(RejectionReason.INVALID_METADATA, task, number, e.getMessage());
        }
        try {
            return factory.load(artifact, encoders);
        } catch (DeltaRejectedException | IllegalArgumentException e) {
            throw new ModelRejectedException(RejectionReason.UNREADABLE_DELTA, task, number,
                    "delta (format '" + version.getDelta().getFormat() + "'): " + e.getMessage(), e);
        }
    }

    private static List<String> checkMetadata(ModelVersion version, String task, long number) {
        if (task == null || task.isBlank()) {
            throw reject(RejectionReason.INVALID_METADATA, task, number, "task must be a non-blank string");
        }
        if (number < 1) {
            throw reject(RejectionReason.INVALID_METADATA, task, number, "version must be >= 1, got " + number);
        }
        if (version.getTechnique() == null || version.getTechnique().isBlank()) {
            throw reject(RejectionReason.INVALID_METADATA, task, number, "technique must be a non-blank string");
        }
        List<String> labels = version.getLabels();
        if (labels == null || labels.size() < 2) {
            throw reject(RejectionReason.INVALID_METADATA, task, number, "labels must hold at least 2 classes, got "
                    + (labels == null ? 0 : labels.size()));
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < labels.size(); i++) {
            String label = labels.get(i);
            if (label == null || label.isEmpty() || !seen.add(label)) {
                throw reject(RejectionReason.INVALID_METADATA, task, number, "labels[" + i + "] = '" + label
                        + "' must be non-empty and distinct");
            }
        }
        if (version.getBase() == null || version.getDelta() == null) {
            throw reject(RejectionReason.INVALID_METADATA, task, number, "base and delta must be present");
        }
        String digest = version.getDelta().getSha256();
        if (digest == null || !SHA256_HEX.matcher(digest).matches()) {
            throw reject(RejectionReason.INVALID_METADATA, task, number,
                    "delta.sha256 must be 64 lower-case hex digits, got '" + digest + "'");
        }
        return List.copyOf(labels);
    }

    private byte[] deltaBytes(ModelVersion version, String task, long number) {
        dev.streamtune.avro.Delta delta = version.getDelta();
        long declaredSize = delta.getSizeBytes();
        if (declaredSize < 0 || declaredSize > maxDeltaBytes) {
            throw reject(RejectionReason.DELTA_SIZE, task, number, "delta.sizeBytes = " + declaredSize
                    + " is outside [0, " + maxDeltaBytes + "]");
        }
        byte[] bytes;
        ByteBuffer inline = delta.getInline();
        if (inline != null) {
            ByteBuffer view = inline.duplicate();
            bytes = new byte[view.remaining()];
            view.get(bytes);
        } else if (delta.getUri() != null) {
            bytes = fetch(delta.getUri(), task, number);
        } else {
            throw reject(RejectionReason.DELTA_UNAVAILABLE, task, number, "delta has neither inline bytes nor a uri");
        }
        if (bytes.length != declaredSize) {
            throw reject(RejectionReason.DELTA_SIZE, task, number, "delta.sizeBytes declares " + declaredSize
                    + " bytes but the delta holds " + bytes.length);
        }
        return bytes;
    }

    private byte[] fetch(String uriText, String task, long number) {
        if (artifacts.isEmpty()) {
            throw reject(RejectionReason.DELTA_UNAVAILABLE, task, number, "delta.uri '" + uriText
                    + "' needs an artifact store, and this loader has none configured");
        }
        try {
            return artifacts.get().fetch(new URI(uriText), maxDeltaBytes);
        } catch (URISyntaxException e) {
            throw reject(RejectionReason.DELTA_UNAVAILABLE, task, number, "delta.uri '" + uriText
                    + "' is not a URI: " + e.getMessage());
        } catch (IOException e) {
            throw new ModelRejectedException(RejectionReason.DELTA_UNAVAILABLE, task, number,
                    "delta.uri: " + e.getMessage(), e);
        }
    }

    private static ModelRejectedException reject(RejectionReason reason, String task, long number, String message) {
        return new ModelRejectedException(reason, task, number, message);
    }
}
