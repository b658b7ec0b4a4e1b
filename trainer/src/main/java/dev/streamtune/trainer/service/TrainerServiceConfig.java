package dev.streamtune.trainer.service;

import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.trainer.DecaySchedule;
import dev.streamtune.trainer.HeadConfig;
import dev.streamtune.trainer.OptimizerConfig;
import dev.streamtune.trainer.TrainerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Settings of one {@link TrainerService}: which task it trains, where it reads and writes, how it
 * batches and when it publishes. A task's {@code TaskSpec} settings ({@code head}, {@code hidden},
 * {@code dropout}, {@code lr}) override {@link #head} and the learning rate of {@link #optimizer}.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param serde schema registry settings for the Avro values
 * @param topics topic names (features topic, tasks, models.candidates, metrics)
 * @param task the task this trainer trains
 * @param backboneId the frozen backbone whose features it consumes ({@code all-MiniLM-L6-v2})
 * @param checkpointDirectory where checkpoints live (one directory per task)
 * @param checkpointsKept how many checkpoints to keep, in [1, 100]
 * @param microBatchSize new examples per optimizer step, in [1, 65536]
 * @param maxBatchWait longest a partial micro-batch waits for more examples, in [1 ms, 1 h]
 * @param publishEveryExamples publish a version after this many new examples, in [1, 1e9]
 * @param publishInterval ... or after this long with unpublished examples, in [100 ms, 1 day]
 * @param device {@code auto} (GPU when DJL sees one), {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param seed seeds initialisation, dropout and replay sampling
 * @param head head used when the task's settings do not name one
 * @param optimizer AdamW settings (the task's {@code lr} setting overrides the learning rate)
 * @param replayFraction share of each step drawn from the replay buffer, in [0, 0.9]
 * @param replayCapacityPerClass examples the replay buffer keeps per class
 * @param classWeighting weight the loss by inverse running class frequency
 * @param taskSpecTimeout how long to wait at start for the task's TaskSpec, in [1 s, 1 day]
 * @param statusInterval how often the status line is logged, in [100 ms, 1 h]
 * @param artifactDirectory where deltas above {@code inlineDeltaLimit} are written, in the layout the
 *     subscriber's {@code DirectoryArtifactStore} reads ({@code <dir>/<sha256>.delta}, a {@code file:} URI)
 * @param inlineDeltaLimit largest delta carried inline in the version event, in bytes, in [0, 8 MiB]
 * @param kafkaClient security settings of its Kafka clients ({@link KafkaClientProperties#none()} for PLAINTEXT)
 */
public record TrainerServiceConfig(String bootstrapServers, AvroSerdeConfig serde, Topics topics, String task,
        String backboneId, Path checkpointDirectory, int checkpointsKept, int microBatchSize, Duration maxBatchWait,
        long publishEveryExamples, Duration publishInterval, String device, long seed, HeadConfig head,
        OptimizerConfig optimizer, float replayFraction, int replayCapacityPerClass, boolean classWeighting,
        Duration taskSpecTimeout, Duration statusInterval, Path artifactDirectory, int inlineDeltaLimit,
        KafkaClientProperties kafkaClient) {

    public static final String DEFAULT_BACKBONE = "all-MiniLM-L6-v2";
    /** The directory under a data directory that holds one checkpoint directory per task. */
    public static final String CHECKPOINTS = "checkpoints";
    public static final int DEFAULT_MICRO_BATCH = 32;
    public static final Duration DEFAULT_MAX_BATCH_WAIT = Duration.ofMillis(200);
    public static final long DEFAULT_PUBLISH_EVERY = 500;
    public static final Duration DEFAULT_PUBLISH_INTERVAL = Duration.ofSeconds(30);
    /** 900 KB: with the rest of the event, well under Kafka's default 1 MB message limit. */
    public static final int DEFAULT_INLINE_DELTA_LIMIT = 900 * 1024;
    /** No inline delta above this: a broker would need its message limit raised. */
    public static final int MAX_INLINE_DELTA_LIMIT = 8 * 1024 * 1024;
    private static final Pattern TASK = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final Pattern DEVICE = Pattern.compile("auto|cpu|gpu(:\\d{1,3})?");

    public TrainerServiceConfig {
        Objects.requireNonNull(serde, "serde");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(checkpointDirectory, "checkpointDirectory");
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(kafkaClient, "kafkaClient (KafkaClientProperties.none() for PLAINTEXT)");
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must not be blank (e.g. localhost:9092)");
        }
        if (task == null || !TASK.matcher(task).matches()) {
            throw new IllegalArgumentException("task must be 1-200 characters of [A-Za-z0-9._-], got '" + task + "'");
        }
        if (backboneId == null || backboneId.isBlank()) {
            throw new IllegalArgumentException("backboneId must not be blank (e.g. " + DEFAULT_BACKBONE + ")");
        }
        Objects.requireNonNull(artifactDirectory, "artifactDirectory");
        requireRange("checkpointsKept", checkpointsKept, 1, 100);
        requireRange("inlineDeltaLimit", inlineDeltaLimit, 0, MAX_INLINE_DELTA_LIMIT);
        requireRange("microBatchSize", microBatchSize, 1, 65_536);
        requireRange("publishEveryExamples", publishEveryExamples, 1, 1_000_000_000L);
        requireDuration("maxBatchWait", maxBatchWait, Duration.ofMillis(1), Duration.ofHours(1));
        requireDuration("publishInterval", publishInterval, Duration.ofMillis(100), Duration.ofDays(1));
        requireDuration("taskSpecTimeout", taskSpecTimeout, Duration.ofSeconds(1), Duration.ofDays(1));
        requireDuration("statusInterval", statusInterval, Duration.ofMillis(100), Duration.ofHours(1));
        if (device == null || !DEVICE.matcher(device).matches()) {
            throw new IllegalArgumentException("device must be auto, cpu, gpu or gpu:N, got '" + device + "'");
        }
        // the trainer's own limits (replay fraction and capacity), checked now rather than at start
        new TrainerConfig("head", 1, head, optimizer, replayFraction, replayCapacityPerClass, classWeighting, seed,
                device);
    }

    /**
     * Defaults: all-MiniLM-L6-v2, 3 checkpoints kept, micro-batches of 32 or 200 ms, a version every
     * 500 examples or 30 s, device auto, seed 42, linear head, {@link #defaultOptimizer()}, 25% replay of up to
     * 1,000 examples per class, class weighting on, 10 min to wait for the TaskSpec, status every 10 s,
     * deltas over 900 KB written to {@code <checkpointDirectory>/artifacts}.
     */
    public static TrainerServiceConfig defaults(String bootstrapServers, AvroSerdeConfig serde, String task,
            Path checkpointDirectory) {
        return new TrainerServiceConfig(bootstrapServers, serde, Topics.defaults(), task, DEFAULT_BACKBONE,
                checkpointDirectory, 3, DEFAULT_MICRO_BATCH, DEFAULT_MAX_BATCH_WAIT, DEFAULT_PUBLISH_EVERY,
                DEFAULT_PUBLISH_INTERVAL, "auto", 42L, HeadConfig.linear(), defaultOptimizer(), 0.25f, 1_000,
                true, Duration.ofMinutes(10), Duration.ofSeconds(10), checkpointDirectory.resolve("artifacts"),
                DEFAULT_INLINE_DELTA_LIMIT, KafkaClientProperties.none());
    }

    /**
     * Where the trainer of {@code task} keeps its checkpoints under a data directory:
     * {@code <dataDir>/checkpoints/<task>}. {@code serve trainer} (one task or {@code --all-tasks}) and {@code up}
     * use this rule, so switching between them resumes the same checkpoints.
     */
    public static Path checkpointDirectory(Path dataDir, String task) {
        return dataDir.resolve(CHECKPOINTS).resolve(task);
    }

    /**
     * AdamW at lr 1e-2 with 20 warm-up steps and cosine decay over 10,000: a streaming head sees
     * few steps per version (500 examples are 16 steps at batch 32), and with the trainer core's
     * 1e-3 and 100 warm-up steps the first versions would barely move from their initialisation.
     */
    public static OptimizerConfig defaultOptimizer() {
        return OptimizerConfig.defaults().withLearningRate(1e-2f).withSchedule(20, 10_000, DecaySchedule.COSINE);
    }

    public TrainerServiceConfig withTopics(Topics newTopics) {
        return copy(c -> c.topics = newTopics);
    }

    public TrainerServiceConfig withBackbone(String newBackboneId) {
        return copy(c -> c.backboneId = newBackboneId);
    }

    public TrainerServiceConfig withMicroBatch(int size, Duration maxWait) {
        return copy(c -> {
            c.microBatchSize = size;
            c.maxBatchWait = maxWait;
        });
    }

    public TrainerServiceConfig withPublishEvery(long examples, Duration interval) {
        return copy(c -> {
            c.publishEveryExamples = examples;
            c.publishInterval = interval;
        });
    }

    public TrainerServiceConfig withDevice(String newDevice) {
        return copy(c -> c.device = newDevice);
    }

    public TrainerServiceConfig withSeed(long newSeed) {
        return copy(c -> c.seed = newSeed);
    }

    public TrainerServiceConfig withHead(HeadConfig newHead) {
        return copy(c -> c.head = newHead);
    }

    public TrainerServiceConfig withOptimizer(OptimizerConfig newOptimizer) {
        return copy(c -> c.optimizer = newOptimizer);
    }

    public TrainerServiceConfig withReplay(float fraction, int capacityPerClass) {
        return copy(c -> {
            c.replayFraction = fraction;
            c.replayCapacityPerClass = capacityPerClass;
        });
    }

    public TrainerServiceConfig withClassWeighting(boolean enabled) {
        return copy(c -> c.classWeighting = enabled);
    }

    public TrainerServiceConfig withTaskSpecTimeout(Duration timeout) {
        return copy(c -> c.taskSpecTimeout = timeout);
    }

    public TrainerServiceConfig withStatusInterval(Duration interval) {
        return copy(c -> c.statusInterval = interval);
    }

    public TrainerServiceConfig withArtifacts(Path directory, int inlineLimit) {
        return copy(c -> {
            c.artifactDirectory = directory;
            c.inlineDeltaLimit = inlineLimit;
        });
    }

    public TrainerServiceConfig withKafkaClient(KafkaClientProperties settings) {
        return copy(c -> c.kafkaClient = settings);
    }

    /** This config with {@code change} applied to a copy of its fields, validated by the constructor again. */
    private TrainerServiceConfig copy(Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return c.build();
    }

    /** The fields of a config, written once here so that each {@code with...} names only what it changes. */
    private static final class Copy {
        String bootstrapServers;
        AvroSerdeConfig serde;
        Topics topics;
        String task;
        String backboneId;
        Path checkpointDirectory;
        int checkpointsKept;
        int microBatchSize;
        Duration maxBatchWait;
        long publishEveryExamples;
        Duration publishInterval;
        String device;
        long seed;
        HeadConfig head;
        OptimizerConfig optimizer;
        float replayFraction;
        int replayCapacityPerClass;
        boolean classWeighting;
        Duration taskSpecTimeout;
        Duration statusInterval;
        Path artifactDirectory;
        int inlineDeltaLimit;
        KafkaClientProperties kafkaClient;

        Copy(TrainerServiceConfig c) {
            bootstrapServers = c.bootstrapServers;
            serde = c.serde;
            topics = c.topics;
            task = c.task;
            backboneId = c.backboneId;
            checkpointDirectory = c.checkpointDirectory;
            checkpointsKept = c.checkpointsKept;
            microBatchSize = c.microBatchSize;
            maxBatchWait = c.maxBatchWait;
            publishEveryExamples = c.publishEveryExamples;
            publishInterval = c.publishInterval;
            device = c.device;
            seed = c.seed;
            head = c.head;
            optimizer = c.optimizer;
            replayFraction = c.replayFraction;
            replayCapacityPerClass = c.replayCapacityPerClass;
            classWeighting = c.classWeighting;
            taskSpecTimeout = c.taskSpecTimeout;
            statusInterval = c.statusInterval;
            artifactDirectory = c.artifactDirectory;
            inlineDeltaLimit = c.inlineDeltaLimit;
            kafkaClient = c.kafkaClient;
        }

        TrainerServiceConfig build() {
            return new TrainerServiceConfig(bootstrapServers, serde, topics, task, backboneId, checkpointDirectory,
                    checkpointsKept, microBatchSize, maxBatchWait, publishEveryExamples, publishInterval, device, seed,
                    head, optimizer, replayFraction, replayCapacityPerClass, classWeighting, taskSpecTimeout,
                    statusInterval, artifactDirectory, inlineDeltaLimit, kafkaClient);
        }
    }

    /** The consumer group whose committed offsets show this trainer's lag: {@code streamtune-trainer-<task>}. */
    public String groupId() {
        return "streamtune-trainer-" + task;
    }

    /** The producer's transactional id: a restarted trainer fences its dead predecessor's open transaction. */
    public String transactionalId() {
        return "streamtune-trainer-" + task;
    }

    private static void requireRange(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    private static void requireDuration(String field, Duration value, Duration min, Duration max) {
        Objects.requireNonNull(value, field);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
