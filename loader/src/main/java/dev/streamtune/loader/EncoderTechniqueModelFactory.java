package dev.streamtune.loader;

import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.peft.EncoderClassifier;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.model.technique.TrainableModel;
import java.util.Map;

/**
 * Loads versions of a technique that adapts the frozen encoder itself (prompt tuning, LoRA, BitFit, top-layer
 * unfreezing): the delta's tensors are decoded by the technique ({@link Technique#loadDelta}) into an
 * {@link EncoderClassifier} that runs on the process's shared {@link MiniLmEncoder} for the backbone
 * ({@link SharedEncoders}), so a version costs only its own tensors in native memory. LoRA's factors are merged into
 * the query and value weights at inference ({@link EncoderClassifier#logits}).
 *
 * <p>One instance per technique id, made by {@link ModelFactory#forTechnique} for every encoder technique of the one
 * registry ({@link Techniques}). An ATTEMPT delta carries the frozen source prompts it was trained against ({@code attempt.source.N}), and
 * {@code AttemptTechnique.loadDelta} rebuilds them from it, so ATTEMPT loads like the others, from its delta alone.
 *
 * <p>The text encoder the loader offers ({@link TextEncoderProvider}) is ONNX Runtime's pooled embedding of the
 * unmodified backbone, which these models cannot use; they ignore it.
 */
public final class EncoderTechniqueModelFactory implements ModelFactory {
    private final String techniqueId;

    public EncoderTechniqueModelFactory(String techniqueId) {
        this.techniqueId = java.util.Objects.requireNonNull(techniqueId, "techniqueId");
    }

    @Override
    public final String techniqueId() {
        return techniqueId;
    }

    @Override
    public final LoadedModel load(ModelArtifact artifact, TextEncoderProvider encoders) {
        Technique technique = Techniques.byId(techniqueId);
        MiniLmEncoder encoder = SharedEncoders.encoder(artifact.backbone());
        TechniqueContext context = new TechniqueContext(artifact.spec(), artifact.labels().size(), encoder.manager(),
                Map.of(MiniLmEncoder.class, encoder));
        TrainableModel trained = technique.loadDelta(context, artifact.delta());
        if (!(trained instanceof EncoderClassifier classifier)) {
            trained.close();
            throw new IllegalStateException("technique '" + techniqueId + "' built a " + trained.getClass().getName()
                    + ", not an encoder classifier");
        }
        return new EncoderTechniqueModel(artifact, classifier,
                SharedEncoders.tokenizer(artifact.backbone(), classifier.maxTokens()));
    }
}
