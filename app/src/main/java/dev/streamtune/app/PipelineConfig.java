package dev.streamtune.app;

import dev.streamtune.schemas.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What the single-JVM pipeline runs and where.
 *
 * @param dashboardPort     the dashboard's HTTP port; 0 picks a free one, -1 runs no dashboard
 * @param dataDirectory     trainer checkpoints, the artifact store and Kafka Streams state live below it
 * @param trainedTasks      one trainer per task named here
 * @param featurizerBatch   texts per ONNX Runtime call
 * @param maxTokens         tokens kept per text (MiniLM was trained on 256; fewer is faster on a CPU)
 * @param publishEvery      the trainer publishes a candidate after this many new examples (or after 30 s)
 * @param minValidationExamples validation vectors the evaluator waits for before it judges a task's candidates
 */
record PipelineConfig(
        String bootstrapServers,
        String registryUrl,
        String topicPrefix,
        int partitions,
        int dashboardPort,
        Path dataDirectory,
        List<String> trainedTasks,
        int featurizerBatch,
        int maxTokens,
        int threads,
        long publishEvery,
        int minValidationExamples) {

    PipelineConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(registryUrl, "registryUrl");
        Objects.requireNonNull(topicPrefix, "topicPrefix (\"\" for none)");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        trainedTasks = List.copyOf(trainedTasks);
        if (partitions < 1 || partitions > 64) {
            throw new IllegalArgumentException("partitions must be between 1 and 64, was " + partitions);
        }
        if (dashboardPort < -1 || dashboardPort > 65_535) {
            throw new IllegalArgumentException("dashboardPort must be -1 (none), 0 (any) or a port, was " + dashboardPort);
        }
        if (featurizerBatch < 1 || featurizerBatch > 1024) {
            throw new IllegalArgumentException("featurizer batch must be between 1 and 1024, was " + featurizerBatch);
        }
        if (maxTokens < 8 || maxTokens > 512) {
            throw new IllegalArgumentException("max tokens must be between 8 and 512 (MiniLM's positions), was " + maxTokens);
        }
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("threads must be between 1 and 256, was " + threads);
        }
        if (publishEvery < 1) {
            throw new IllegalArgumentException("publish-every must be at least 1 example, was " + publishEvery);
        }
        if (minValidationExamples < 1) {
            throw new IllegalArgumentException("min-validation must be at least 1, was " + minValidationExamples);
        }
    }

    Topics topics() {
        return Topics.withPrefix(topicPrefix);
    }
}
