package dev.streamtune.app;

import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import dev.streamtune.loader.DirectoryArtifactStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What the single-JVM pipeline runs and where.
 *
 * @param dashboardPort     the dashboard's HTTP port; 0 picks a free one, -1 runs no dashboard
 * @param dataDirectory     trainer checkpoints, the artifact store and Kafka Streams state live below it
 * @param trainedTasks      the tasks trained here, each once declared; empty: every declared task, including
 *                          tasks declared while the pipeline runs
 * @param featurizerBatch   texts per ONNX Runtime call
 * @param maxTokens         tokens kept per text (MiniLM was trained on 256; fewer is faster on a CPU)
 * @param publishEvery      the trainer publishes a candidate after this many new examples (or after 30 s)
 * @param publishInterval   ... or after this much time with new examples, whichever comes first
 * @param gate              the evaluator's promotion gate (its minValidationExamples is also how many
 *                          validation vectors a candidate waits for)
 * @param kafkaClient       security settings of every service's Kafka clients
 * @param ingestLimits      what ingest accepts (label length, labels per open task, metadata)
 * @param bindAddress       the interface the dashboard listens on: the loopback unless opened
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
        java.time.Duration publishInterval,
        dev.streamtune.evaluator.GateConfig gate,
        KafkaClientProperties kafkaClient, dev.streamtune.ingest.IngestLimits ingestLimits, String bindAddress) {

    /** With ingest's default limits, PLAINTEXT clients, the dashboard on the loopback interface. */
    PipelineConfig(String bootstrapServers, String registryUrl, String topicPrefix, int partitions, int dashboardPort,
            Path dataDirectory, List<String> trainedTasks, int featurizerBatch, int maxTokens, int threads,
            long publishEvery, java.time.Duration publishInterval, dev.streamtune.evaluator.GateConfig gate) {
        this(bootstrapServers, registryUrl, topicPrefix, partitions, dashboardPort, dataDirectory, trainedTasks,
                featurizerBatch, maxTokens, threads, publishEvery, publishInterval, gate,
                KafkaClientProperties.none(), dev.streamtune.ingest.IngestLimits.defaults(),
                dev.streamtune.http.HttpServerConfig.LOCALHOST);
    }

    /** With ingest's default limits and these Kafka client settings. */
    PipelineConfig(String bootstrapServers, String registryUrl, String topicPrefix, int partitions, int dashboardPort,
            Path dataDirectory, List<String> trainedTasks, int featurizerBatch, int maxTokens, int threads,
            long publishEvery, java.time.Duration publishInterval, dev.streamtune.evaluator.GateConfig gate,
            KafkaClientProperties kafkaClient) {
        this(bootstrapServers, registryUrl, topicPrefix, partitions, dashboardPort, dataDirectory, trainedTasks,
                featurizerBatch, maxTokens, threads, publishEvery, publishInterval, gate, kafkaClient,
                dev.streamtune.ingest.IngestLimits.defaults(), dev.streamtune.http.HttpServerConfig.LOCALHOST);
    }

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
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(kafkaClient, "kafkaClient (KafkaClientProperties.none() for PLAINTEXT)");
        Objects.requireNonNull(ingestLimits, "ingestLimits");
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new IllegalArgumentException("bindAddress must not be blank (127.0.0.1 for this machine only)");
        }
        if (publishInterval == null || publishInterval.isNegative() || publishInterval.isZero()) {
            throw new IllegalArgumentException("publish interval must be positive, was " + publishInterval);
        }
    }

    /** The default gate with {@code minValidation} validation examples and refresh promotions within {@code refreshTolerance} (negative: off). */
    static dev.streamtune.evaluator.GateConfig gate(int minValidation, double refreshTolerance) {
        dev.streamtune.evaluator.GateConfig gate = gateWithMinValidation(minValidation);
        return refreshTolerance >= 0 ? gate.withRefreshTolerance(refreshTolerance) : gate.withoutRefresh();
    }

    /** The default gate with {@code minValidation} validation examples. */
    static dev.streamtune.evaluator.GateConfig gateWithMinValidation(int minValidation) {
        return dev.streamtune.evaluator.GateConfig.defaults().withMinValidationExamples(minValidation);
    }

    /**
     * The directory artifact store every service of the pipeline shares: the trainer writes deltas too large to
     * travel inline there, and the evaluator and subscribers read them back by their {@code file:} URI.
     */
    Path artifactDirectory() {
        return DirectoryArtifactStore.under(dataDirectory);
    }

    Topics topics() {
        return Topics.withPrefix(topicPrefix);
    }
}
