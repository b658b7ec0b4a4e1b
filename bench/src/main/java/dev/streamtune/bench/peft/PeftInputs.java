package dev.streamtune.bench.peft;

import dev.streamtune.model.peft.*;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link PeftBenchmark} trains and tests on, already tokenized: the target task's train and
 * test sets and, for ATTEMPT, the source tasks (in the order their prompts are mixed).
 */
public record PeftInputs(TokenSet train, TokenSet test, Map<String, TokenSet> sources) {
    public PeftInputs {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        sources = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sources));
        if (!train.labelNames().equals(test.labelNames())) {
            throw new IllegalArgumentException("train and test must share labels; got " + train.labelNames() + " and "
                    + test.labelNames());
        }
    }
}
