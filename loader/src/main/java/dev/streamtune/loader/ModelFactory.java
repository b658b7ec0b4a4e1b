package dev.streamtune.loader;

import dev.streamtune.model.hybrid.HybridTechnique;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.HeadOnlyTechnique;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.Techniques;
import java.util.Optional;

/**
 * Builds a {@link LoadedModel} for one fine-tuning technique from a verified delta. There is one registry of
 * techniques, {@link Techniques} (model's {@code META-INF/services}); {@link #forTechnique} says how each one is
 * served, so a new technique is declared once and the loader follows.
 */
public interface ModelFactory {
    /** The technique id recorded in model versions that this factory loads (e.g. {@code head}). */
    String techniqueId();

    /**
     * @param artifact the version's metadata, its technique spec and its delta, whose digest the loader has verified
     * @param encoders the encoders of frozen backbones, for models that predict from text through the frozen
     *                 backbone
     * @throws dev.streamtune.model.delta.DeltaRejectedException or {@link IllegalArgumentException} when the delta
     *         does not fit the spec; the loader turns either into a {@link ModelRejectedException}
     */
    LoadedModel load(ModelArtifact artifact, TextEncoderProvider encoders);

    /**
     * How {@code technique} is served: head-only and hybrid in plain Java on the pooled embedding, every technique
     * that adapts the encoder itself ({@link BatchInput.InputKind#TOKEN_IDS}) on the shared encoder. Empty for a
     * technique fed pooled features that is neither, which no loader here can serve.
     */
    static Optional<ModelFactory> forTechnique(Technique technique) {
        if (technique instanceof HybridTechnique) {
            return Optional.of(new HybridModelFactory());
        }
        if (technique instanceof HeadOnlyTechnique) {
            return Optional.of(new HeadOnlyModelFactory());
        }
        if (technique.inputKind() == BatchInput.InputKind.TOKEN_IDS) {
            return Optional.of(new EncoderTechniqueModelFactory(technique.id()));
        }
        return Optional.empty();
    }
}
