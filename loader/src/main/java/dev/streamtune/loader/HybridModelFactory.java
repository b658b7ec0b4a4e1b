package dev.streamtune.loader;

import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.hybrid.HybridClassifier;
import dev.streamtune.model.hybrid.HybridTechnique;

/** Loads hybrid versions: softmax regression over the pooled embedding and hashed word n-grams, in plain Java. */
public final class HybridModelFactory implements ModelFactory {
    @Override
    public String techniqueId() {
        return HybridTechnique.ID;
    }

    @Override
    public LoadedModel load(ModelArtifact artifact, TextEncoderProvider encoders) {
        int labels = artifact.labels().size();
        if (labels == 0) {
            throw new IllegalArgumentException("a hybrid version needs its labels");
        }
        HybridClassifier classifier = HybridClassifier.fromTensors(DeltaCodec.decode(artifact.delta(),
                new HybridTechnique().tensorSpecs(artifact.spec(), labels)));
        return new HybridModel(artifact.task(), artifact.version(), artifact.labels(), artifact.base().backboneId(),
                artifact.delta().sha256(), classifier, encoders.forBackbone(artifact.backbone()));
    }
}
