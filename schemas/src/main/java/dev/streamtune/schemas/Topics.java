package dev.streamtune.schemas;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Every topic name Streamtune uses, in one place. Services and tests take an instance rather than
 * string constants, so a deployment can rename topics (a prefix per environment, say) by
 * configuration alone.
 */
public record Topics(
        String raw,
        String train,
        String validation,
        String test,
        String dlq,
        String tasks,
        String featuresPrefix,
        String candidates,
        String updates,
        String metrics,
        String schemas) {

    public Topics {
        for (String name : new String[] {raw, train, validation, test, dlq, tasks, featuresPrefix,
                candidates, updates, metrics, schemas}) {
            Objects.requireNonNull(name, "topic name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("topic name must not be blank");
            }
        }
    }

    /** The default names of DESIGN.md. */
    public static Topics defaults() {
        return withPrefix("");
    }

    /** The default names, each preceded by {@code prefix} (e.g. {@code "staging."}). */
    public static Topics withPrefix(String prefix) {
        return new Topics(prefix + "examples.raw", prefix + "examples.train",
                prefix + "examples.validation", prefix + "examples.test", prefix + "examples.dlq",
                prefix + "tasks", prefix + "features.", prefix + "models.candidates",
                prefix + "models.updates", prefix + "metrics", "_schemas");
    }

    /** The three split topics, in train, validation, test order. */
    public List<String> splits() {
        return List.of(train, validation, test);
    }

    /** The features topic of one backbone, e.g. {@code features.all-minilm-l6-v2}. */
    public String features(String backboneId) {
        return featuresPrefix + backboneId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
    }
}
