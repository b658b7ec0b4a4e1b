package dev.streamtune.loader;

/**
 * Builds a {@link LoadedModel} for one fine-tuning technique from a verified delta. Found with
 * {@link java.util.ServiceLoader} (list implementations in
 * {@code META-INF/services/dev.streamtune.loader.ModelFactory}), so a technique that needs the encoder (prompts,
 * LoRA) ships its own factory without changing the loader.
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
}
