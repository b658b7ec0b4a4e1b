package dev.streamtune.model.peft;

import dev.streamtune.model.delta.NamedTensor;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The frozen prompts ATTEMPT mixes from: soft prompts already trained on other tasks, each
 * [promptLength, hidden], named after where they come from (e.g. {@code fortune@v3}). Handed to
 * the technique as a {@link dev.streamtune.model.technique.TechniqueContext} resource when
 * training. A published ATTEMPT delta carries them too, in this order, as
 * {@code attempt.source.N} ({@link dev.streamtune.model.technique.TrainableModel#saveDelta()}), so a consumer rebuilds them from
 * the delta alone; their names travel in the version's hyperparameters
 * ({@link AttemptTechnique#sourceProvenance}) as provenance.
 */
public record SourcePrompts(List<NamedTensor> prompts) {
    public SourcePrompts {
        prompts = List.copyOf(Objects.requireNonNull(prompts, "prompts"));
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("ATTEMPT needs at least one source prompt");
        }
        long[] first = prompts.get(0).shape();
        Set<String> names = new HashSet<>();
        for (NamedTensor prompt : prompts) {
            long[] shape = prompt.shape();
            if (shape.length != 2 || shape[0] != first[0] || shape[1] != first[1]) {
                throw new IllegalArgumentException("source prompts must all be [promptLength, hidden] of the same shape; '"
                        + prompt.name() + "' is " + java.util.Arrays.toString(shape) + ", '" + prompts.get(0).name()
                        + "' is " + java.util.Arrays.toString(first));
            }
            if (!names.add(prompt.name())) {
                throw new IllegalArgumentException("source prompt '" + prompt.name() + "' is given twice");
            }
        }
    }

    public int promptLength() {
        return (int) prompts.get(0).shape()[0];
    }

    public int hidden() {
        return (int) prompts.get(0).shape()[1];
    }

    public List<String> names() {
        return prompts.stream().map(NamedTensor::name).toList();
    }
}
