package dev.streamtune.loader;

import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.head.BaseModelRef;
import dev.streamtune.model.technique.TechniqueSpec;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link ModelFactory} gets: the checked metadata of one version and its delta.
 *
 * @param backbone the local backbone, whose weights hash to {@code base.weightsSha256()}
 * @param spec     the technique spec read back from the version's hyperparameters by
 *                 {@link dev.streamtune.model.technique.TechniqueSettings#fromSettings}
 * @param delta    bytes whose sha256 has been verified against the event
 */
public record ModelArtifact(String task, long version, List<String> labels, Backbone backbone, BaseModelRef base,
        TechniqueSpec spec, Delta delta) {
    public ModelArtifact {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(backbone, "backbone");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(delta, "delta");
        labels = List.copyOf(labels);
    }
}
