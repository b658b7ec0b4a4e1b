package dev.streamtune.app;

import dev.streamtune.evaluator.GateConfig;
import dev.streamtune.ingest.IngestLimits;
import picocli.CommandLine.Option;

/**
 * How far a producer may grow what ingest accepts: shared by {@code serve} and {@code up}. The
 * labels-per-task limit is also the evaluator's {@link GateConfig#maxLabels}, so a task ingest lets
 * grow is never one the evaluator refuses to judge.
 */
final class IngestLimitOptions {

    @Option(names = "--max-label-chars", defaultValue = "${env:STREAMTUNE_MAX_LABEL_CHARS:-128}",
            description = "Ingest: longest label, in characters (env STREAMTUNE_MAX_LABEL_CHARS). Default: ${DEFAULT-VALUE}")
    int maxLabelChars;

    @Option(names = "--max-labels-per-task", defaultValue = "${env:STREAMTUNE_MAX_LABELS_PER_TASK:-1000}",
            description = {"Ingest: the most labels an open task may grow to; the evaluator judges no version with more",
                    "(env STREAMTUNE_MAX_LABELS_PER_TASK). Default: ${DEFAULT-VALUE}"})
    int maxLabelsPerTask;

    @Option(names = "--max-metadata-entries", defaultValue = "${env:STREAMTUNE_MAX_METADATA_ENTRIES:-64}",
            description = "Ingest: the most metadata entries per example (env STREAMTUNE_MAX_METADATA_ENTRIES). Default: ${DEFAULT-VALUE}")
    int maxMetadataEntries;

    @Option(names = "--max-metadata-bytes", defaultValue = "${env:STREAMTUNE_MAX_METADATA_BYTES:-16384}",
            description = "Ingest: the most UTF-8 bytes of metadata keys and values per example (env STREAMTUNE_MAX_METADATA_BYTES). Default: ${DEFAULT-VALUE}")
    int maxMetadataBytes;

    /** Ingest's default limits with these four, checked; a bad value names its flag. */
    IngestLimits limits() {
        try {
            return IngestLimits.defaults().withLabels(maxLabelChars, maxLabelsPerTask)
                    .withMetadata(maxMetadataEntries, maxMetadataBytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--max-label-chars, --max-labels-per-task, --max-metadata-entries, "
                    + "--max-metadata-bytes: " + e.getMessage(), e);
        }
    }

    /** {@code gate} judging no version with more labels than ingest lets a task grow to. */
    GateConfig gate(GateConfig gate) {
        return gate.withMaxLabels(limits().maxLabelsPerTask());
    }
}
