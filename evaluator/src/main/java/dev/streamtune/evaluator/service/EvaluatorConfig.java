package dev.streamtune.evaluator.service;

import dev.streamtune.evaluator.GateConfig;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How the evaluator service runs.
 *
 * @param bootstrapServers    Kafka bootstrap servers
 * @param registryUrl         schema registry URL
 * @param topics              topic names
 * @param backbones           backbones whose {@code features.<backbone>} topics hold held-out vectors (at least one)
 * @param gate                the promotion gate; its {@code minValidationExamples} is also how many validation
 *                            vectors a candidate waits for
 * @param prequentialWindow   sliding-window size of prequential accuracy, in [1, 10 000 000]
 * @param prequentialInterval how often prequential accuracy is published, in [100 ms, 1 h]
 * @param artifactDirectory   the directory artifact store for deltas sent by URI; empty accepts inline deltas only
 * @param applicationId       consumer group of the candidates consumer and prefix of the transactional id; one
 *                            running evaluator per id
 * @param pollTimeout         how long each poll waits, in [10 ms, 10 s]
 * @param kafkaClient         security settings of its Kafka clients ({@link KafkaClientProperties#none()} for PLAINTEXT)
 * @param maxHeldOut          validation (and as many test) examples kept per task, the newest, in [1, 10 000 000]: the
 *                            held-out sets live in memory, so a stream that never ends needs a bound
 */
public record EvaluatorConfig(String bootstrapServers, String registryUrl, Topics topics, List<String> backbones,
        GateConfig gate, int prequentialWindow, Duration prequentialInterval, Optional<Path> artifactDirectory,
        String applicationId, Duration pollTimeout, KafkaClientProperties kafkaClient, int maxHeldOut) {

    /** The name under which the evaluator signs its metrics events. */
    public static final String SOURCE = "evaluator";
    /**
     * Held-out examples kept per task and split by default: a McNemar test on 20,000 paired predictions resolves a
     * tenth of a point of accuracy, and 20,000 pooled vectors with their terms are about 80 MB.
     */
    public static final int DEFAULT_MAX_HELD_OUT = 20_000;

    public EvaluatorConfig {
        requireText(bootstrapServers, "bootstrapServers");
        requireText(registryUrl, "registryUrl");
        requireText(applicationId, "applicationId");
        if (topics == null) {
            throw new IllegalArgumentException("topics must not be null");
        }
        if (backbones == null || backbones.isEmpty()) {
            throw new IllegalArgumentException("backbones must name at least one backbone id");
        }
        for (int i = 0; i < backbones.size(); i++) {
            requireText(backbones.get(i), "backbones[" + i + "]");
        }
        backbones = List.copyOf(backbones);
        if (gate == null) {
            throw new IllegalArgumentException("gate must not be null");
        }
        if (prequentialWindow < 1 || prequentialWindow > 10_000_000) {
            throw new IllegalArgumentException("prequentialWindow must be in [1, 10000000], got " + prequentialWindow);
        }
        requireDuration(prequentialInterval, "prequentialInterval", Duration.ofMillis(100), Duration.ofHours(1));
        requireDuration(pollTimeout, "pollTimeout", Duration.ofMillis(10), Duration.ofSeconds(10));
        if (artifactDirectory == null) {
            throw new IllegalArgumentException("artifactDirectory must not be null (Optional.empty() for inline only)");
        }
        if (kafkaClient == null) {
            throw new IllegalArgumentException("kafkaClient must not be null (KafkaClientProperties.none() for PLAINTEXT)");
        }
        if (maxHeldOut < 1 || maxHeldOut > 10_000_000) {
            throw new IllegalArgumentException("maxHeldOut must be in [1, 10000000], got " + maxHeldOut);
        }
    }

    /**
     * Defaults: the standard topics, MiniLM features, the default gate, a 500-example prequential window published
     * every 5 s, inline deltas only, application id {@code streamtune-evaluator}, 100 ms polls.
     */
    public static EvaluatorConfig defaults(String bootstrapServers, String registryUrl) {
        return new EvaluatorConfig(bootstrapServers, registryUrl, Topics.defaults(), List.of(MiniLmL6V2Provider.ID),
                GateConfig.defaults(), 500, Duration.ofSeconds(5), Optional.empty(), "streamtune-evaluator",
                Duration.ofMillis(100), KafkaClientProperties.none(), DEFAULT_MAX_HELD_OUT);
    }

    public EvaluatorConfig withGate(GateConfig value) {
        return copy(c -> c.gate = value);
    }

    public EvaluatorConfig withPrequential(int window, Duration interval) {
        return copy(c -> {
            c.prequentialWindow = window;
            c.prequentialInterval = interval;
        });
    }

    public EvaluatorConfig withArtifactDirectory(Path directory) {
        return copy(c -> c.artifactDirectory = Optional.of(directory));
    }

    public EvaluatorConfig withApplicationId(String id) {
        return copy(c -> c.applicationId = id);
    }

    public EvaluatorConfig withTopics(Topics value) {
        return copy(c -> c.topics = value);
    }

    public EvaluatorConfig withMaxHeldOut(int value) {
        return copy(c -> c.maxHeldOut = value);
    }

    public EvaluatorConfig withKafkaClient(KafkaClientProperties settings) {
        return copy(c -> c.kafkaClient = settings);
    }

    /** This config with {@code change} applied to a copy of its fields, validated by the constructor again. */
    private EvaluatorConfig copy(Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return c.build();
    }

    /** The fields of a config, written once here so that each {@code with...} names only what it changes. */
    private static final class Copy {
        String bootstrapServers;
        String registryUrl;
        Topics topics;
        List<String> backbones;
        GateConfig gate;
        int prequentialWindow;
        Duration prequentialInterval;
        Optional<Path> artifactDirectory;
        String applicationId;
        Duration pollTimeout;
        KafkaClientProperties kafkaClient;
        int maxHeldOut;

        Copy(EvaluatorConfig c) {
            bootstrapServers = c.bootstrapServers;
            registryUrl = c.registryUrl;
            topics = c.topics;
            backbones = c.backbones;
            gate = c.gate;
            prequentialWindow = c.prequentialWindow;
            prequentialInterval = c.prequentialInterval;
            artifactDirectory = c.artifactDirectory;
            applicationId = c.applicationId;
            pollTimeout = c.pollTimeout;
            kafkaClient = c.kafkaClient;
            maxHeldOut = c.maxHeldOut;
        }

        EvaluatorConfig build() {
            return new EvaluatorConfig(bootstrapServers, registryUrl, topics, backbones, gate, prequentialWindow,
                    prequentialInterval, artifactDirectory, applicationId, pollTimeout, kafkaClient, maxHeldOut);
        }
    }

    /** The features topics to materialize, one per backbone. */
    public List<String> featureTopics() {
        return backbones.stream().map(topics::features).distinct().toList();
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must be a non-blank string");
        }
    }

    private static void requireDuration(Duration value, String field, Duration min, Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", got " + value);
        }
    }
}
