package dev.streamtune.app;

import dev.streamtune.evaluator.GateConfig;
import dev.streamtune.ingest.SplitRatios;
import picocli.CommandLine.Option;

/** How candidates are published and judged: shared by every command that runs the whole pipeline. */
final class LearningOptions {

    @Option(names = "--publish-every", defaultValue = "500", description = "New examples per candidate version. Default: ${DEFAULT-VALUE}")
    long publishEvery;

    @Option(names = "--min-validation", defaultValue = "200", description = "Validation examples the evaluator waits for before judging. Default: ${DEFAULT-VALUE}")
    int minValidation;

    @Option(names = "--refresh-tolerance", defaultValue = "0.03",
            description = {"Promote a challenger trained on more data that is not significantly worse and within this much",
                    "macro-F1 of the champion, so serving keeps up with the stream; negative turns refresh off. Default: ${DEFAULT-VALUE}"})
    double refreshTolerance;

    GateConfig gate() {
        return PipelineConfig.gate(minValidation, refreshTolerance);
    }

    /**
     * The gate for a run that streams {@code examples} examples in all: the validation count it waits
     * for is capped at 80% of the validation share those examples are expected to give (split by hash,
     * so the count varies), or a short {@code --limit} run would wait for a count that never arrives.
     */
    GateConfig gateFor(int examples) {
        return PipelineConfig.gate(minValidationFor(examples), refreshTolerance);
    }

    /**
     * New examples per version for a run of {@code examples} examples: at most a quarter of the
     * training share, so a short {@code --limit} run still publishes several versions to compare.
     */
    long publishEveryFor(int examples) {
        long quarterOfTraining = (long) Math.floor(examples * SplitRatios.defaults().train() / 4);
        return Math.max(1, Math.min(publishEvery, quarterOfTraining));
    }

    int minValidationFor(int examples) {
        int reachable = (int) Math.floor(examples * SplitRatios.defaults().validation() * 0.8);
        return Math.max(1, Math.min(minValidation, reachable));
    }
}
