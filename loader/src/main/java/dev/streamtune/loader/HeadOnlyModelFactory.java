package dev.streamtune.loader;

import dev.streamtune.model.head.Predictor;
import dev.streamtune.model.technique.HeadOnlyTechnique;

/** Loads head-only versions: the frozen backbone's pooled embedding into a linear or MLP head, in plain Java. */
public final class HeadOnlyModelFactory implements ModelFactory {
    @Override
    public String techniqueId() {
        return HeadOnlyTechnique.ID;
    }

    @Override
    public LoadedModel load(ModelArtifact artifact, TextEncoderProvider encoders) {
        Predictor predictor = Predictor.load(artifact.base(), artifact.spec().head(), artifact.labels(),
                artifact.delta());
        return new HeadOnlyModel(artifact.task(), artifact.version(), techniqueId(), predictor,
                encoders.forBackbone(artifact.backbone()));
    }
}
