package dev.streamtune.trainer.service;

import ai.djl.Device;
import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.OffsetRange;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.head.HeadKind;
import dev.streamtune.model.head.HeadSpec;
import dev.streamtune.model.peft.AttemptTechnique;
import dev.streamtune.model.peft.PeftBenchmarkConfig;
import dev.streamtune.model.peft.SourcePrompts;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.HeadOnlyTechnique;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueSettings;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.schemas.MetricNames;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import dev.streamtune.subscriber.DirectoryArtifactStore;
import dev.streamtune.trainer.CheckpointStore;
import dev.streamtune.trainer.EncoderTrainer;
import dev.streamtune.trainer.EncoderTrainerConfig;
import dev.streamtune.trainer.HeadConfig;
import dev.streamtune.trainer.HeadTrainer;
import dev.streamtune.trainer.LabeledExample;
import dev.streamtune.trainer.OptimizerConfig;
import dev.streamtune.trainer.StreamingTrainer;
import dev.streamtune.trainer.TrainerConfig;
import dev.streamtune.trainer.TrainerState;
import dev.streamtune.trainer.hybrid.HybridTrainer;
import dev.streamtune.model.hybrid.HybridTechnique;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer of one task: consumes the task's train examples in micro-batches, trains the
 * technique its {@code TaskSpec} names, and every N examples or T seconds publishes a
 * {@link ModelVersion} to {@code models.candidates}. Head-only (the default) reads the train split
 * of {@code features.<backbone>} and trains with {@link HeadTrainer}; the encoder techniques
 * (prompt, attempt, lora, bitfit, unfreeze) read text from {@code examples.train}, tokenize it and
 * train through the frozen encoder with {@link EncoderTrainer}. The input kind is a
 * {@link TrainingInput}; everything below holds for both.
 *
 * <p>A delta up to {@link TrainerServiceConfig#inlineDeltaLimit()} travels inline; a larger one
 * (top-k unfreezing) is written durably to the artifact directory first, in the subscriber's
 * {@link DirectoryArtifactStore} layout, and the version carries its URI, sha256 and size.
 * ATTEMPT waits until every task in its {@code source_tasks} setting has a promoted prompt
 * version ({@link SourcePromptResolver}); the status line names the source it waits for.
 *
 * <p>A publish point runs in this order: (a) a checkpoint is made durable, recording the trainer's
 * state, the next offset of every partition, the version number about to be published and the
 * offset ranges it covers; (b) the version and a TRAINING metrics event are produced in one Kafka
 * transaction; (c) the consumer group offsets are committed (for lag monitoring only: the
 * checkpoint, not the group, decides where a restart resumes). On start the newest intact
 * checkpoint is restored and the features topic is read from its offsets; if a crash fell between
 * (a) and (b), the version recorded in the checkpoint is published then, so every version number
 * is published exactly once and every train example's offset lies in exactly one version's
 * new-data ranges.
 *
 * <p>{@link #run} does all the work on the calling thread; {@link #stop} (any thread) makes it
 * finish the current batch, publish what is unpublished, and return.
 */
public final class TrainerService implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
    private static final String SOURCE = "trainer";
    private static final Duration POLL = Duration.ofMillis(100);
    private static final int TAIL_WINDOW = 256;

    // checkpoint annotations: what a restart needs to finish or continue the version sequence
    static final String VERSION = "service.version";
    static final String PARENT = "service.parentVersion";
    static final String RANGES = "service.offsetRanges";
    static final String FIRSTS = "service.cumulativeFrom";
    static final String TRAIN_LOSS = "service.trainLoss";
    static final String LAST_LOSS = "service.lastLoss";
    static final String WALL_MS = "service.wallTimeMs";
    static final String CREATED_AT = "service.createdAt";
    static final String NEW_EXAMPLES = "service.newExamples";
    /** ATTEMPT: the source versions (task=version,...) a checkpoint was trained with. */
    static final String SOURCES = "service.sourceVersions";
    /** TaskSpec setting of ATTEMPT: comma-separated source tasks whose promoted prompt versions it mixes. */
    public static final String SOURCE_TASKS = "source_tasks";
    /** TaskSpec setting of the encoder techniques: Adam learning rate of the head (the technique's own is {@code lr}). */
    public static final String HEAD_LR = "head_lr";
    /** Head learning rate of the encoder techniques unless {@value #HEAD_LR} says otherwise (the PEFT benchmark's). */
    public static final float DEFAULT_HEAD_LR = 1e-2f;
    /** TaskSpec setting that turns class weighting on or off for one task (the config's value otherwise). */
    public static final String CLASS_WEIGHTING = "class_weighting";
    /** TaskSpec setting: rehearsal steps on the replay buffer after each micro-batch (0 turns rehearsal off). */
    public static final String REHEARSAL_STEPS = "rehearsal_steps";
    /**
     * Each example is seen once as new data; two rehearsal steps per micro-batch give the head
     * the extra passes a batch learner takes, at a cost that is small next to the featurizer's.
     */
    public static final int DEFAULT_REHEARSAL_STEPS = 2;
    /**
     * Encoder techniques run the backbone at every step (about 6-10 examples/s per core on CPU at
     * 128 tokens), so they rehearse only when the task asks for it.
     */
    public static final int DEFAULT_ENCODER_REHEARSAL_STEPS = 0;

    private final TrainerServiceConfig config;
    private final dev.streamtune.schemas.signing.SigningKey signer;
    private final PoisonRecords poison;
    private final CompletableFuture<StartupReport> started = new CompletableFuture<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile KafkaConsumer<byte[], byte[]> activeConsumer;
    private volatile Throwable failure;
    private volatile long crashAfterCheckpointOf = -1;

    // counters, written by the run thread only
    private volatile long examplesTrained;
    private volatile long steps;
    private volatile long versionsPublished;
    private volatile long lastPublishedVersion;
    private volatile double lastLoss = Double.NaN;
    private volatile double examplesPerSecond;
    private volatile long lag = -1;
    private volatile long recordsSkipped;
    private volatile long unknownLabels;
    private volatile long malformed;
    private volatile int labelCount;
    private volatile String waitingFor;

    // run-thread state
    private final OffsetLedger ledger = new OffsetLedger();
    private final List<LabeledExample> pending = new ArrayList<>();
    private long pendingSinceNanos;
    private long unpublishedExamples;
    private double unpublishedLossSum;
    private long unpublishedSteps;
    private long versionStartNanos;
    private long lastPublishNanos;
    private long parentVersion;
    private StreamingTrainer trainer;
    private TrainerConfig trainerConfig;
    private EncoderTrainerConfig encoderConfig;
    private HybridTrainer.Config hybridConfig;
    private Technique technique;
    private TrainingInput input;
    private SourcePrompts sourcePrompts;
    private DirectoryArtifactStore artifacts;
    private int rehearsalSteps = DEFAULT_REHEARSAL_STEPS;
    private boolean labelSetClosed;
    private Backbone backbone;
    private String backboneSha256;

    /**
     * @param config how to train
     * @param signer the trainer's key: every candidate it publishes is signed with it, and evaluators score only
     *               candidates signed by a key they trust
     */
    public TrainerService(TrainerServiceConfig config, dev.streamtune.schemas.signing.SigningKey signer) {
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.signer = java.util.Objects.requireNonNull(signer, "signer");
        this.poison = new PoisonRecords(config.task());
    }

    public TrainerServiceConfig config() {
        return config;
    }

    /** Completes once the checkpoint is restored, the task read and any cut-off version re-published. */
    public CompletableFuture<StartupReport> started() {
        return started;
    }

    /** Waits for {@link #started()}; rethrows a start failure. */
    public StartupReport awaitStarted(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("trainer for task '" + config.task() + "' failed to start: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    public TrainerCounters counters() {
        return new TrainerCounters(examplesTrained, steps, versionsPublished, lastPublishedVersion, lastLoss,
                examplesPerSecond, lag, recordsSkipped, unknownLabels, malformed, labelCount, poison.skipped());
    }

    /** The failure that ended {@link #run}, if any. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** While an ATTEMPT task waits for its source tasks: which source it waits for; empty otherwise. */
    public Optional<String> waitingFor() {
        return Optional.ofNullable(waitingFor);
    }

    public boolean isRunning() {
        return finished.getCount() > 0;
    }

    /**
     * Fault injection for tests: {@link #run} ends abruptly right after the checkpoint of
     * {@code version} is durable and before that version is published, as a power cut there would.
     */
    void crashAfterCheckpointOf(long version) {
        crashAfterCheckpointOf = version;
    }

    /** What {@link #crashAfterCheckpointOf} throws. */
    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(String message) {
            super(message);
        }
    }

    /** Asks {@link #run} to finish the current batch, publish and return; does not wait. */
    public void stop() {
        stopping = true;
        KafkaConsumer<byte[], byte[]> consumer = activeConsumer;
        if (consumer != null) {
            consumer.wakeup();
        }
    }

    /** Waits for {@link #run} to return after {@link #stop}; true when it did within {@code timeout}. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        if (!awaitStopped(Duration.ofSeconds(60))) {
            LOG.warn("Trainer for task '{}' did not stop within 60 s", config.task());
        }
    }

    @Override
    public void run() {
        try {
            runUntilStopped();
        } catch (WakeupException e) {
            if (!stopping) {
                fail(e);
            }
        } catch (Throwable t) {
            fail(t);
            if (t instanceof Error error) {
                throw error;
            }
        } finally {
            if (!started.isDone()) {
                started.completeExceptionally(failure != null ? failure
                        : new IllegalStateException("trainer stopped before it started"));
            }
            if (trainer != null) {
                trainer.close();
            }
            finished.countDown();
        }
    }

    private void fail(Throwable t) {
        failure = t;
        LOG.error("Trainer for task '{}' failed: {}", config.task(), t.toString(), t);
    }

    private void runUntilStopped() throws Exception {
        backbone = BackboneRegistry.standard().byId(config.backboneId());
        backboneSha256 = backbone.weightsSha256();
        SchemaRegistryClient registry = SchemaRegistryClients.create(config.serde());
        AvroSerializer<ModelVersion> versionSerializer = new AvroSerializer<>(registry, config.serde(), false);
        AvroSerializer<MetricsEvent> metricsSerializer = new AvroSerializer<>(registry, config.serde(), false);
        AvroDeserializer<TaskSpec> taskDeserializer = new AvroDeserializer<>(registry, config.serde(), TaskSpec.class);
        AvroDeserializer<ModelVersion> versionDeserializer =
                new AvroDeserializer<>(registry, config.serde(), ModelVersion.class);
        artifacts = new DirectoryArtifactStore(config.artifactDirectory());
        ensureOutputTopics();
        try (KafkaProducer<String, byte[]> producer = producer();
             KafkaConsumer<byte[], byte[]> consumer = consumer(config.groupId())) {
            activeConsumer = consumer;
            if (stopping) {
                return;
            }
            // fences a predecessor's open transaction before we read what it committed
            producer.initTransactions();
            TaskSpec spec = awaitTaskSpec(consumer, taskDeserializer);
            if (spec == null) {
                return;
            }
            checkTaskSpec(spec);
            if (technique.inputKind() == BatchInput.InputKind.POOLED_FEATURES) {
                input = new TrainingInput.Features(config.topics().features(config.backboneId()),
                        new AvroDeserializer<>(registry, config.serde(), FeatureVector.class), backbone.hiddenSize());
            } else {
                input = new TrainingInput.Texts(config.topics().train(),
                        new AvroDeserializer<>(registry, config.serde(), LabelledExample.class),
                        text -> ((EncoderTrainer) trainer).tokenize(text));
            }
            String inputTopic = input.topic();
            List<TopicPartition> partitions = awaitPartitions(consumer, inputTopic);
            if (partitions == null) {
                return;
            }
            CheckpointStore store = new CheckpointStore(config.checkpointDirectory(), config.checkpointsKept());
            CheckpointStore.Restored restored = store.restoreNewest();
            long highest = highestPublishedVersion(consumer, versionDeserializer);
            lastPublishedVersion = highest;
            if (HybridTechnique.ID.equals(technique.id())) {
                hybridConfig = hybridConfig(spec);
            } else if (technique.inputKind() == BatchInput.InputKind.POOLED_FEATURES) {
                trainerConfig = trainerConfig(spec);
            } else {
                encoderConfig = encoderConfig(spec);
            }
            if (AttemptTechnique.ID.equals(technique.id())) {
                Map<String, Long> pinned = restored.state().map(s -> decodeSources(s.annotations().get(SOURCES)))
                        .orElse(Map.of());
                sourcePrompts = awaitSourcePrompts(consumer, registry, spec, pinned);
                if (sourcePrompts == null) {
                    return;
                }
            }
            rehearsalSteps = TechniqueSettings.intSetting(spec.getSettings(), REHEARSAL_STEPS,
                    hybridConfig != null ? 0 : technique.inputKind() == BatchInput.InputKind.POOLED_FEATURES
                            ? DEFAULT_REHEARSAL_STEPS : DEFAULT_ENCODER_REHEARSAL_STEPS);
            if (rehearsalSteps < 0 || rehearsalSteps > 64) {
                throw new IllegalStateException("task '" + config.task() + "': setting '" + REHEARSAL_STEPS
                        + "' must be between 0 and 64, got " + rehearsalSteps);
            }
            OptionalLong republished = OptionalLong.empty();
            long checkpointVersion = 0;
            consumer.assign(partitions);
            if (restored.state().isPresent()) {
                TrainerState state = restored.state().get();
                trainer = restoreTrainer(state);
                checkpointVersion = Long.parseLong(state.annotations().getOrDefault(VERSION, "0"));
                Map<TopicPartition, Long> firsts = OffsetLedger.decodeFirsts(state.annotations().get(FIRSTS));
                Map<TopicPartition, Long> positions = new LinkedHashMap<>();
                for (TopicPartition partition : partitions) {
                    Long next = state.nextOffsets().get(OffsetLedger.key(partition));
                    long begin = consumer.beginningOffsets(List.of(partition)).get(partition);
                    long position = next != null ? next : begin;
                    ledger.restore(partition, firsts.getOrDefault(partition, begin), position);
                    positions.put(partition, position);
                }
                if (trainer.retainsInput()) {
                    rereadRetained(consumer, positions);
                }
                positions.forEach(consumer::seek);
                if (checkpointVersion > highest) {
                    // crashed between checkpoint (a) and publish (b): publish exactly what the checkpoint recorded
                    publish(producer, versionSerializer, metricsSerializer, state.annotations());
                    commitGroupOffsets(consumer);
                    republished = OptionalLong.of(checkpointVersion);
                    LOG.warn("Version {} of task '{}' was checkpointed but not published before a crash; published it now",
                            checkpointVersion, config.task());
                } else if (checkpointVersion < highest) {
                    LOG.warn("Checkpoint holds version {} but version {} of task '{}' is already published (its newer"
                            + " checkpoint was unusable); training continues from version {}, and the next version,"
                            + " {}, names {} as its parent", checkpointVersion, highest, config.task(), checkpointVersion,
                            highest + 1, checkpointVersion);
                }
                parentVersion = checkpointVersion;
            } else {
                Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions);
                for (TopicPartition partition : partitions) {
                    ledger.track(partition, begins.get(partition));
                    consumer.seek(partition, begins.get(partition));
                }
                if (!spec.getLabels().isEmpty()) {
                    trainer = newTrainer(spec.getLabels().stream().map(Object::toString).toList());
                }
                parentVersion = 0;
            }
            if (trainer != null) {
                for (CharSequence label : spec.getLabels()) {
                    if (!trainer.labels().contains(label.toString())) {
                        trainer.addLabel(label.toString());
                    }
                }
                examplesTrained = trainer.examplesSeen();
                steps = trainer.step();
                labelCount = trainer.labels().size();
            }
            StartupReport report = new StartupReport(restored.path(), restored.skipped(), checkpointVersion, highest,
                    republished, ledger.positions());
            if (restored.skipped().isEmpty()) {
                LOG.info("Trainer for task '{}' ({}) on {}: {}", config.task(), technique.id(), inputTopic, report);
            } else {
                LOG.warn("Trainer for task '{}' ({}) on {}: {}", config.task(), technique.id(), inputTopic, report);
            }
            started.complete(report);
            consumeLoop(consumer, producer, store, versionSerializer, metricsSerializer);
        } finally {
            activeConsumer = null;
        }
    }

    private void consumeLoop(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<String, byte[]> producer,
            CheckpointStore store, AvroSerializer<ModelVersion> versions, AvroSerializer<MetricsEvent> metrics)
            throws IOException {
        long now = System.nanoTime();
        versionStartNanos = now;
        lastPublishNanos = now;
        long statusMarkNanos = now;
        long statusMarkExamples = examplesTrained;
        long emptySinceNanos = -1;
        while (!stopping) {
            ConsumerRecords<byte[], byte[]> records;
            try {
                records = consumer.poll(POLL);
            } catch (WakeupException e) {
                break;
            }
            for (ConsumerRecord<byte[], byte[]> record : records) {
                handle(record);
                if (unpublishedExamples + pending.size() >= config.publishEveryExamples()) {
                    // mid-poll, so a version covers about N examples however many records a poll returns
                    publishPoint(consumer, producer, store, versions, metrics);
                }
            }
            now = System.nanoTime();
            if (!pending.isEmpty() && now - pendingSinceNanos >= config.maxBatchWait().toNanos()) {
                stepPending();
            }
            if (records.isEmpty()) {
                emptySinceNanos = emptySinceNanos < 0 ? now : emptySinceNanos;
            } else {
                emptySinceNanos = -1;
            }
            // idle at the end of input: nothing arrived for a quarter of the publish interval (at least a batch
            // wait) and the consumer has caught up. Shorter, and a trickle of input (the featurizer commits a
            // batch every few seconds) would publish a tiny version after every batch.
            long idleBeforePublish = Math.max(config.maxBatchWait().toNanos(), config.publishInterval().toNanos() / 4);
            boolean idle = emptySinceNanos >= 0 && now - emptySinceNanos >= idleBeforePublish
                    && caughtUp(consumer);
            boolean due = unpublishedExamples + pending.size() >= config.publishEveryExamples()
                    || now - lastPublishNanos >= config.publishInterval().toNanos() || idle;
            if (due && unpublishedExamples + pending.size() > 0) {
                publishPoint(consumer, producer, store, versions, metrics);
            }
            if (now - statusMarkNanos >= config.statusInterval().toNanos()) {
                examplesPerSecond = (examplesTrained - statusMarkExamples) / ((now - statusMarkNanos) / 1e9);
                statusMarkNanos = now;
                statusMarkExamples = examplesTrained;
                logStatus(consumer);
            }
        }
        // graceful stop: finish the batch, then checkpoint and publish what is unpublished
        if (unpublishedExamples + pending.size() > 0) {
            publishPoint(consumer, producer, store, versions, metrics);
        }
        LOG.info("Trainer for task '{}' stopped: {}", config.task(), counters());
    }

    private boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer) {
        for (TopicPartition partition : consumer.assignment()) {
            OptionalLong partitionLag = consumer.currentLag(partition);
            if (partitionLag.isEmpty() || partitionLag.getAsLong() > 0) {
                return false;
            }
        }
        return true;
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        ledger.handled(partition, record.offset());
        TrainingInput.Decoded decoded;
        try {
            decoded = input.decode(record.topic(), record.value());
        } catch (RuntimeException e) {
            malformed++;
            LOG.warn("Skipping undecodable record {}@{}: {}", partition, record.offset(), e.getMessage());
            return;
        }
        if (decoded != null && decoded.split() == Split.VALIDATION && trainer != null && trainer.readsValidation()
                && config.task().contentEquals(decoded.task())) {
            offerValidation(decoded);
            return;
        }
        if (decoded == null || !config.task().contentEquals(decoded.task()) || decoded.split() != Split.TRAIN) {
            recordsSkipped++;
            return;
        }
        String problem = input.problem(decoded);
        if (problem != null) {
            malformed++;
            LOG.warn("Skipping example '{}' at {}@{}: {}", decoded.exampleId(), partition, record.offset(), problem);
            return;
        }
        String label = decoded.label();
        if (trainer == null) {
            // an open task declared without labels: the first example's label starts the head
            trainer = newTrainer(List.of(label));
            labelCount = 1;
            LOG.info("Task '{}' declared no labels; started the head with '{}'", config.task(), label);
        }
        int labelIndex = trainer.labels().indexOf(label);
        if (labelIndex < 0) {
            if (labelSetClosed) {
                unknownLabels++;
                return;
            }
            labelIndex = trainer.addLabel(label);
            labelCount = trainer.labels().size();
            LOG.info("Task '{}': new label '{}' grew the head to {} outputs", config.task(), label, labelCount);
        }
        LabeledExample example;
        try {
            example = input.example(decoded, labelIndex);
        } catch (IllegalArgumentException e) {
            malformed++;
            LOG.warn("Skipping example '{}' at {}@{}: {}", decoded.exampleId(), partition, record.offset(),
                    e.getMessage());
            return;
        }
        if (pending.isEmpty()) {
            pendingSinceNanos = System.nanoTime();
        }
        pending.add(example);
        if (pending.size() >= config.microBatchSize()) {
            stepPending();
        }
    }

    /** A validation example for a trainer that selects its model on the validation split (not trained on). */
    private void offerValidation(TrainingInput.Decoded decoded) {
        if (input.problem(decoded) != null) {
            return;
        }
        try {
            trainer.validation(decoded.exampleId(), decoded.label(), input.example(decoded, 0));
        } catch (IllegalArgumentException e) {
            LOG.warn("Skipping validation example '{}' of task '{}': {}", decoded.exampleId(), config.task(),
                    e.getMessage());
        }
    }

    /**
     * After a restart, gives a trainer that {@link StreamingTrainer#retainsInput() retains its input} back the
     * examples it held before the crash: the input from the ledger's first offsets up to the checkpoint's
     * positions, train examples retained (not counted again), validation examples offered, nothing published.
     */
    private void rereadRetained(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> positions) {
        long start = System.nanoTime();
        Map<TopicPartition, Long> firsts = new LinkedHashMap<>();
        positions.keySet().forEach(p -> firsts.put(p, ledger.first(p)));
        // what retention has deleted since is gone for the refits too: RangeReader starts at what the log holds
        long reread = RangeReader.read(consumer, firsts, positions, POLL, () -> stopping, this::retainAgain);
        LOG.info(String.format("Trainer for task '%s': re-read %,d records up to the checkpoint's offsets in %.1f s to"
                + " restore the retained examples", config.task(), reread, (System.nanoTime() - start) / 1e9));
    }

    /** One re-read record: a train example is retained again (not counted), a validation example offered. */
    private void retainAgain(ConsumerRecord<byte[], byte[]> record) {
        TrainingInput.Decoded decoded;
        try {
            decoded = input.decode(record.topic(), record.value());
        } catch (RuntimeException e) {
            return; // counted as malformed the first time it was read
        }
        if (decoded == null || !config.task().contentEquals(decoded.task()) || input.problem(decoded) != null) {
            return;
        }
        if (decoded.split() == Split.VALIDATION) {
            offerValidation(decoded);
        } else if (decoded.split() == Split.TRAIN) {
            int labelIndex = trainer.labels().indexOf(decoded.label());
            if (labelIndex >= 0) {
                try {
                    trainer.restoreRetained(input.example(decoded, labelIndex));
                } catch (IllegalArgumentException e) {
                    // skipped as malformed the first time too
                }
            }
        }
    }

    private void stepPending() {
        if (pending.isEmpty()) {
            return;
        }
        StreamingTrainer.StepResult result = trainer.step(List.copyOf(pending));
        unpublishedExamples += pending.size();
        unpublishedLossSum += result.loss();
        unpublishedSteps++;
        for (int i = 0; i < rehearsalSteps; i++) {
            trainer.rehearse(config.microBatchSize());
        }
        pending.clear();
        lastLoss = result.loss();
        steps = trainer.step();
        examplesTrained = trainer.examplesSeen();
    }

    private void publishPoint(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<String, byte[]> producer,
            CheckpointStore store, AvroSerializer<ModelVersion> versions, AvroSerializer<MetricsEvent> metrics)
            throws IOException {
        stepPending();
        trainer.consolidate();
        long version = PoisonRecords.nextVersion(Math.max(lastPublishedVersion, parentVersion));
        long now = System.nanoTime();
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(VERSION, Long.toString(version));
        annotations.put(PARENT, parentVersion == 0 ? "" : Long.toString(parentVersion));
        annotations.put(RANGES, OffsetLedger.encodeRanges(ledger.newRanges()));
        annotations.put(FIRSTS, ledger.encodeFirsts());
        annotations.put(TRAIN_LOSS, Double.toString(unpublishedSteps == 0 ? Double.NaN
                : unpublishedLossSum / unpublishedSteps));
        annotations.put(LAST_LOSS, Double.toString(lastLoss));
        annotations.put(WALL_MS, Long.toString((now - versionStartNanos) / 1_000_000));
        annotations.put(CREATED_AT, Long.toString(System.currentTimeMillis()));
        annotations.put(NEW_EXAMPLES, Long.toString(unpublishedExamples));
        if (sourcePrompts != null) {
            annotations.put(SOURCES, encodeSources(sourcePrompts));
        }
        TrainerState state = trainer.snapshot(ledger.positions()).withAnnotations(annotations);
        store.save(state);                                                // (a) durable first
        if (version == crashAfterCheckpointOf) {
            throw new SimulatedCrash("simulated crash after checkpointing version " + version + " of task '"
                    + config.task() + "', before publishing it");
        }
        publish(producer, versions, metrics, annotations);                // (b) then visible
        commitGroupOffsets(consumer);                                     // (c) then the group, for lag
        ledger.published();
        parentVersion = version;
        unpublishedExamples = 0;
        unpublishedLossSum = 0;
        unpublishedSteps = 0;
        versionStartNanos = System.nanoTime();
        lastPublishNanos = versionStartNanos;
    }

    /** Publishes the version a checkpoint's annotations describe, with the trainer in that checkpoint's state. */
    private void publish(KafkaProducer<String, byte[]> producer, AvroSerializer<ModelVersion> versions,
            AvroSerializer<MetricsEvent> metrics, Map<String, String> annotations) throws IOException {
        long version = Long.parseLong(annotations.get(VERSION));
        String parent = annotations.getOrDefault(PARENT, "");
        Delta delta = trainer.delta();
        long wallTimeMs = Long.parseLong(annotations.get(WALL_MS));
        long createdAt = Long.parseLong(annotations.get(CREATED_AT));
        double trainLoss = Double.parseDouble(annotations.get(TRAIN_LOSS));
        long newExamples = Long.parseLong(annotations.get(NEW_EXAMPLES));
        double rate = wallTimeMs > 0 ? newExamples * 1000.0 / wallTimeMs : 0;
        Map<String, Double> trainMetrics = new LinkedHashMap<>();
        trainMetrics.put(MetricNames.LOSS, trainLoss);
        trainMetrics.put("last_loss", Double.parseDouble(annotations.get(LAST_LOSS)));
        trainMetrics.put(MetricNames.EXAMPLES_PER_S, rate);
        trainMetrics.put("new_examples", (double) newExamples);
        ModelVersion.Builder builder = ModelVersion.newBuilder()
                .setTask(config.task())
                .setVersion(version)
                .setParentVersion(parent.isEmpty() ? null : Long.parseLong(parent))
                .setTechnique(trainer.techniqueSpec().techniqueId())
                .setHyperparameters(new LinkedHashMap<>(hyperparameters()))
                .setBase(new BaseModel(backbone.id(), backboneSha256))
                .setLabels(new ArrayList<>(trainer.labels()))
                .setTrainableParams(trainer.trainableParameterCount())
                .setOffsetRanges(OffsetLedger.decodeRanges(annotations.get(RANGES)))
                .setCumulativeOffsetRanges(cumulative(annotations))
                .setExamplesSeen(trainer.examplesSeen())
                .setSteps(trainer.step())
                .setTrainMetrics(trainMetrics)
                .setWallTimeMs(wallTimeMs)
                .setDevice(deviceName(trainer.device()))
                .setCodeVersion(codeVersion())
                .setCreatedAt(java.time.Instant.ofEpochMilli(createdAt));
        if (delta.size() <= config.inlineDeltaLimit()) {
            builder.setDelta(new dev.streamtune.avro.Delta(delta.format(), delta.sha256(), (long) delta.size(),
                    ByteBuffer.wrap(delta.bytes()), null));
        } else {
            // durable in the store (fsync, rename) before the event that points at it becomes visible
            java.net.URI uri = artifacts.put(delta.bytes(), delta.sha256());
            builder.setDelta(new dev.streamtune.avro.Delta(delta.format(), delta.sha256(), (long) delta.size(),
                    null, uri.toString()));
        }
        ModelVersion event = signer.sign(builder.build());
        Map<String, Double> values = new LinkedHashMap<>();
        values.put(MetricNames.LOSS, trainLoss);
        values.put(MetricNames.EXAMPLES_PER_S, rate);
        values.put(MetricNames.EXAMPLES_SEEN, (double) trainer.examplesSeen());
        values.put(MetricNames.STEPS, (double) trainer.step());
        MetricsEvent metricsEvent = MetricsEvent.newBuilder()
                .setTask(config.task())
                .setKind(MetricKind.TRAINING)
                .setSource(SOURCE)
                .setVersion(version)
                .setValues(values)
                .setLabels(new ArrayList<>(trainer.labels()))
                .setTimestamp(java.time.Instant.ofEpochMilli(createdAt))
                .build();
        producer.beginTransaction();
        try {
            producer.send(new ProducerRecord<>(config.topics().candidates(), config.task(),
                    versions.serialize(config.topics().candidates(), event)));
            producer.send(new ProducerRecord<>(config.topics().metrics(), config.task(),
                    metrics.serialize(config.topics().metrics(), metricsEvent)));
            producer.commitTransaction();
        } catch (RuntimeException e) {
            // a fenced or failed producer cannot go on; the checkpoint lets the next start publish this version
            throw new IllegalStateException("publishing version " + version + " of task '" + config.task()
                    + "' failed: " + e.getMessage(), e);
        }
        versionsPublished++;
        lastPublishedVersion = version;
        LOG.info("Published version {} of task '{}' (parent {}): {} new examples in {}, {} examples seen, {} steps,"
                + " train loss {}, labels {}, delta {} bytes sha256 {} ({})", version, config.task(),
                parent.isEmpty() ? "none" : parent, newExamples, annotations.get(RANGES), trainer.examplesSeen(),
                trainer.step(), String.format("%.4f", trainLoss), trainer.labels(), delta.size(), delta.sha256(),
                delta.size() <= config.inlineDeltaLimit() ? "inline" : "in " + config.artifactDirectory());
    }

    private List<OffsetRange> cumulative(Map<String, String> annotations) {
        Map<TopicPartition, Long> firsts = OffsetLedger.decodeFirsts(annotations.get(FIRSTS));
        List<OffsetRange> ranges = new ArrayList<>();
        // the checkpoint's own positions are the until-offsets; the ledger holds them at publish time
        Map<String, Long> positions = ledger.positions();
        firsts.forEach((partition, first) -> {
            long until = positions.getOrDefault(OffsetLedger.key(partition), first);
            if (until > first) {
                ranges.add(new OffsetRange(partition.topic(), partition.partition(), first, until));
            }
        });
        return ranges;
    }

    /**
     * The technique spec via {@link TechniqueSettings} plus the training settings, as the version
     * records them; encoder techniques add their trainable fraction of the encoder, and ATTEMPT the
     * source versions it mixes ({@code fortune@v3,wordnet@v2}).
     */
    Map<String, String> hyperparameters() {
        Map<String, String> settings = new LinkedHashMap<>(TechniqueSettings.toSettings(trainer.techniqueSpec()));
        settings.putAll(trainer.trainingSettings());
        settings.put("batch_size", Integer.toString(config.microBatchSize()));
        settings.put(REHEARSAL_STEPS, Integer.toString(rehearsalSteps));
        trainer.trainableFraction().ifPresent(f -> settings.put("trainable_fraction", Double.toString(f)));
        if (sourcePrompts != null) {
            settings.put("source_versions", String.join(",", sourcePrompts.names()));
        }
        return settings;
    }

    private void commitGroupOffsets(KafkaConsumer<byte[], byte[]> consumer) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        ledger.positionsByPartition().forEach((partition, next) -> offsets.put(partition, new OffsetAndMetadata(next)));
        try {
            consumer.commitSync(offsets);
        } catch (RuntimeException e) {
            // only lag monitoring reads the group; the checkpoint already holds the offsets that matter
            LOG.warn("Committing group offsets of task '{}' failed (lag monitoring only): {}", config.task(),
                    e.getMessage());
        }
    }

    private void logStatus(KafkaConsumer<byte[], byte[]> consumer) {
        long total = 0;
        try {
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(5));
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                total += Math.max(0, end.getValue() - ledger.position(end.getKey()));
            }
            lag = total;
        } catch (RuntimeException e) {
            LOG.debug("End offsets unavailable for the status line: {}", e.getMessage());
        }
        double rate = examplesPerSecond;
        String eta = lag <= 0 ? "caught up" : rate > 0 ? String.format("%.0f s", lag / rate) : "unknown";
        LOG.info(String.format("trainer[%s/%s]: %,d examples trained at %,.1f/s, lag %,d records, ETA %s, version %d,"
                + " last loss %.4f, %d labels", config.task(), technique.id(), examplesTrained, rate, lag, eta,
                lastPublishedVersion, lastLoss, labelCount));
    }

    private TaskSpec awaitTaskSpec(KafkaConsumer<byte[], byte[]> consumer, AvroDeserializer<TaskSpec> deserializer) {
        long deadline = System.nanoTime() + config.taskSpecTimeout().toNanos();
        long nextLog = System.nanoTime();
        while (!stopping) {
            TaskSpec spec = latestTaskSpec(consumer, deserializer);
            if (spec != null) {
                return spec;
            }
            if (System.nanoTime() >= nextLog) {
                LOG.info("Waiting for the TaskSpec of task '{}' on topic '{}'", config.task(), config.topics().tasks());
                nextLog = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            }
            if (System.nanoTime() >= deadline) {
                throw new IllegalStateException("no TaskSpec for task '" + config.task() + "' on topic '"
                        + config.topics().tasks() + "' within taskSpecTimeout " + config.taskSpecTimeout()
                        + "; declare the task first (streamtune task create)");
            }
            sleep(500);
        }
        return null;
    }

    /** Reads the compacted tasks topic to its end; the last record keyed by this task wins. */
    private TaskSpec latestTaskSpec(KafkaConsumer<byte[], byte[]> consumer, AvroDeserializer<TaskSpec> deserializer) {
        List<TopicPartition> partitions = partitionsOf(consumer, config.topics().tasks());
        if (partitions.isEmpty()) {
            return null;
        }
        byte[] key = config.task().getBytes(StandardCharsets.UTF_8);
        TaskSpec latest = null;
        for (ConsumerRecord<byte[], byte[]> record : readToEnd(consumer, partitions)) {
            if (record.key() != null && java.util.Arrays.equals(record.key(), key)) {
                if (record.value() == null) {
                    latest = null; // a tombstone withdraws the declaration
                } else {
                    // a record that is no declaration of this task leaves the last good one standing
                    TaskSpec spec = poison.taskSpec(record, deserializer);
                    latest = spec != null ? spec : latest;
                }
            }
        }
        return latest;
    }

    /** Every record of {@code partitions} from the beginning to the end offsets as of now; leaves nothing assigned. */
    static List<ConsumerRecord<byte[], byte[]>> readToEnd(KafkaConsumer<byte[], byte[]> consumer,
            List<TopicPartition> partitions) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        while (!reachedEnd(consumer, ends)) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                    records.add(record);
                }
            }
        }
        consumer.assign(List.of());
        return records;
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void checkTaskSpec(TaskSpec spec) {
        String techniqueId = spec.getTechnique().toString();
        try {
            technique = Techniques.byId(techniqueId);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("task '" + config.task() + "': " + e.getMessage(), e);
        }
        if (!spec.getBackbone().toString().equalsIgnoreCase(config.backboneId())) {
            throw new IllegalStateException("task '" + config.task() + "' is declared on backbone '"
                    + spec.getBackbone() + "', but this trainer is configured for backbone '" + config.backboneId()
                    + "' (set backboneId to match)");
        }
        labelSetClosed = spec.getLabelSetClosed();
        if (labelSetClosed && spec.getLabels().isEmpty()) {
            throw new IllegalStateException("task '" + config.task() + "' has a closed label set with no labels");
        }
        if (technique.inputKind() == BatchInput.InputKind.TOKEN_IDS && spec.getLabels().isEmpty()) {
            // the encoder is loaded and the model built once at start; declaring the labels keeps that off the
            // path of the first example (new labels may still grow an open set later)
            throw new IllegalStateException("task '" + config.task() + "' uses technique '" + techniqueId
                    + "', which needs the task's labels declared in its TaskSpec (streamtune task create --labels ...)");
        }
        if (AttemptTechnique.ID.equals(techniqueId)) {
            SourcePromptResolver.sourceTasks(config.task(), stringSettings(spec).get(SOURCE_TASKS));
        }
    }

    /** A fresh trainer of the task's technique: the head on features, or the technique through the encoder. */
    private StreamingTrainer newTrainer(List<String> labels) {
        return trainerFor(labels, null);
    }

    private StreamingTrainer restoreTrainer(TrainerState state) {
        return trainerFor(state.labels(), state);
    }

    /** A trainer that starts fresh with {@code labels}, or continues {@code state} when it is not null. */
    private StreamingTrainer trainerFor(List<String> labels, TrainerState state) {
        if (hybridConfig != null) {
            return state == null ? HybridTrainer.create(hybridConfig, labels) : HybridTrainer.restore(hybridConfig, state);
        }
        if (encoderConfig == null) {
            return state == null ? HeadTrainer.create(trainerConfig, labels) : HeadTrainer.restore(trainerConfig, state);
        }
        long start = System.nanoTime();
        EncoderTrainer encoderTrainer = state == null
                ? EncoderTrainer.create(encoderConfig, backbone, labels, extraResources())
                : EncoderTrainer.restore(encoderConfig, backbone, state, extraResources());
        logEncoderReady(encoderTrainer, start);
        return encoderTrainer;
    }

    private Map<Class<?>, Object> extraResources() {
        return sourcePrompts == null ? Map.of() : Map.of(SourcePrompts.class, sourcePrompts);
    }

    private void logEncoderReady(EncoderTrainer encoderTrainer, long startNanos) {
        LOG.info(String.format("Task '%s': %s through the frozen %s encoder (loaded in %.1f s on %s), %,d trainable"
                + " parameters (%.3f%% of the encoder's), max_tokens %d", config.task(), technique.id(), backbone.id(),
                (System.nanoTime() - startNanos) / 1e9, deviceName(encoderTrainer.device()),
                encoderTrainer.trainableParameterCount(), 100 * encoderTrainer.trainableFraction().orElse(0),
                encoderTrainer.maxTokens()));
    }

    private static Map<String, String> stringSettings(TaskSpec spec) {
        Map<String, String> settings = new HashMap<>();
        spec.getSettings().forEach((k, v) -> settings.put(k.toString(), v.toString()));
        return settings;
    }

    private boolean classWeighting(Map<String, String> settings) {
        String weightingSetting = settings.get(CLASS_WEIGHTING);
        if (weightingSetting == null) {
            return config.classWeighting();
        }
        if (!weightingSetting.trim().equalsIgnoreCase("true") && !weightingSetting.trim().equalsIgnoreCase("false")) {
            throw new IllegalStateException("task '" + config.task() + "': setting '" + CLASS_WEIGHTING
                    + "' must be true or false, got '" + weightingSetting + "'");
        }
        return Boolean.parseBoolean(weightingSetting.trim());
    }

    /**
     * The encoder technique's spec from the task's settings (every setting but the head's is passed
     * to the technique as an option: {@code max_tokens}, {@code prompt_length}, {@code lora_rank},
     * ...), Adam at {@code lr} (the PEFT benchmark's rate of the technique by default) for the
     * technique's tensors and {@value #HEAD_LR} for the head.
     */
    private EncoderTrainerConfig encoderConfig(TaskSpec spec) {
        Map<String, String> settings = stringSettings(spec);
        try {
            TechniqueSpec techniqueSpec = TechniqueSettings.fromSettings(technique.id(), backbone.hiddenSize(), settings);
            // checks the technique's own options (ranges, prompt length) before anything is loaded
            technique.tensorSpecs(techniqueSpec, Math.max(1, spec.getLabels().size()));
            float learningRate = TechniqueSettings.floatSetting(settings, "lr",
                    PeftBenchmarkConfig.DEFAULT_LEARNING_RATES.getOrDefault(technique.id(), 1e-3f));
            float headLearningRate = TechniqueSettings.floatSetting(settings, HEAD_LR, DEFAULT_HEAD_LR);
            return new EncoderTrainerConfig(techniqueSpec, learningRate, headLearningRate, config.replayFraction(),
                    config.replayCapacityPerClass(), classWeighting(settings), config.seed(), config.device());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("task '" + config.task() + "': " + e.getMessage(), e);
        }
    }

    /**
     * ATTEMPT's source prompts: polls models.updates until every source task serves a prompt
     * version (null when stopped first). The status line, and {@link #waitingFor()}, name the source it waits for.
     */
    private SourcePrompts awaitSourcePrompts(KafkaConsumer<byte[], byte[]> consumer, SchemaRegistryClient registry,
            TaskSpec spec, Map<String, Long> pinned) {
        List<String> sources = SourcePromptResolver.sourceTasks(config.task(), stringSettings(spec).get(SOURCE_TASKS));
        SourcePromptResolver resolver = new SourcePromptResolver(config,
                new AvroDeserializer<>(registry, config.serde(), ModelUpdate.class),
                new AvroDeserializer<>(registry, config.serde(), ModelVersion.class), artifacts, backbone.hiddenSize(),
                poison);
        long nextLog = System.nanoTime();
        while (!stopping) {
            SourcePromptResolver.Resolution resolution = resolver.resolve(consumer, sources, encoderConfig.spec(), pinned);
            if (resolution.prompts() != null) {
                waitingFor = null;
                LOG.info("Task '{}' (attempt): source prompts {}", config.task(), resolution.prompts().names());
                return resolution.prompts();
            }
            waitingFor = resolution.waitingFor();
            if (System.nanoTime() >= nextLog) {
                LOG.info("trainer[{}/attempt]: waiting for source task {}: no promoted prompt version on '{}' yet"
                        + " (sources {})", config.task(), waitingFor, config.topics().updates(), sources);
                nextLog = System.nanoTime() + config.statusInterval().toNanos();
            }
            sleep(1_000);
        }
        return null;
    }

    /** {@code fortune=3,wordnet=2} from the prompts' names ({@code fortune@v3}). */
    private static String encodeSources(SourcePrompts prompts) {
        List<String> parts = new ArrayList<>();
        for (String name : prompts.names()) {
            int at = name.lastIndexOf("@v");
            parts.add(name.substring(0, at) + "=" + name.substring(at + 2));
        }
        return String.join(",", parts);
    }

    private static Map<String, Long> decodeSources(String encoded) {
        Map<String, Long> pinned = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return pinned;
        }
        for (String part : encoded.split(",")) {
            int eq = part.lastIndexOf('=');
            pinned.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
        }
        return pinned;
    }

    /** The hybrid technique's spec from the task's settings ({@code lexical_buckets}, {@code c_grid}), checked. */
    private HybridTrainer.Config hybridConfig(TaskSpec spec) {
        Map<String, String> settings = stringSettings(spec);
        try {
            TechniqueSpec techniqueSpec = TechniqueSettings.fromSettings(HybridTechnique.ID, backbone.hiddenSize(), settings);
            technique.tensorSpecs(techniqueSpec, Math.max(1, spec.getLabels().size()));
            HybridTechnique.cGrid(techniqueSpec);
            return new HybridTrainer.Config(techniqueSpec, TechniqueSettings.intSetting(settings,
                    HybridTrainer.MAX_RETAINED, HybridTrainer.DEFAULT_MAX_RETAINED));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("task '" + config.task() + "': " + e.getMessage(), e);
        }
    }

    private TrainerConfig trainerConfig(TaskSpec spec) {
        Map<String, String> settings = stringSettings(spec);
        HeadConfig head = config.head();
        if (settings.containsKey(TechniqueSettings.HEAD)) {
            HeadSpec headSpec = TechniqueSettings.fromSettings(HeadOnlyTechnique.ID, backbone.hiddenSize(), settings).head();
            head = headSpec.kind() == HeadKind.LINEAR ? HeadConfig.linear()
                    : HeadConfig.mlp(headSpec.hiddenSize(), headSpec.dropout());
        }
        OptimizerConfig optimizer = config.optimizer();
        if (settings.containsKey("lr")) {
            optimizer = optimizer.withLearningRate(TechniqueSettings.floatSetting(settings, "lr", optimizer.learningRate()));
        }
        return new TrainerConfig(HeadOnlyTechnique.ID, backbone.hiddenSize(), head, optimizer, config.replayFraction(),
                config.replayCapacityPerClass(), classWeighting(settings), config.seed(), config.device());
    }

    private List<TopicPartition> awaitPartitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        long nextLog = System.nanoTime();
        while (!stopping) {
            List<TopicPartition> partitions = partitionsOf(consumer, topic);
            if (!partitions.isEmpty()) {
                return partitions;
            }
            if (System.nanoTime() >= nextLog) {
                LOG.info("Waiting for topic '{}' to exist", topic);
                nextLog = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            }
            sleep(500);
        }
        return null;
    }

    static List<TopicPartition> partitionsOf(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        if (infos == null) {
            return List.of();
        }
        return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition()))
                .sorted(java.util.Comparator.comparingInt(TopicPartition::partition)).toList();
    }

    /**
     * The highest version of this task on models.candidates, read from the end of the partition its
     * key maps to, in growing windows until a version of the task turns up (0 when there is none).
     */
    private long highestPublishedVersion(KafkaConsumer<byte[], byte[]> consumer,
            AvroDeserializer<ModelVersion> deserializer) {
        List<TopicPartition> partitions = partitionsOf(consumer, config.topics().candidates());
        if (partitions.isEmpty()) {
            return 0;
        }
        byte[] key = config.task().getBytes(StandardCharsets.UTF_8);
        TopicPartition partition = partitions.get(Utils.toPositive(Utils.murmur2(key)) % partitions.size());
        consumer.assign(List.of(partition));
        long begin = consumer.beginningOffsets(List.of(partition)).get(partition);
        long end = consumer.endOffsets(List.of(partition)).get(partition);
        long highest = 0;
        long window = TAIL_WINDOW;
        long until = end;
        while (until > begin) {
            long from = Math.max(begin, until - window);
            consumer.seek(partition, from);
            while (consumer.position(partition) < until) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() < until && record.key() != null && java.util.Arrays.equals(record.key(), key)) {
                        ModelVersion version = poison.version(record, deserializer, config.task());
                        highest = version == null ? highest : Math.max(highest, version.getVersion());
                    }
                }
            }
            if (highest > 0) {
                break;
            }
            until = from;
            window *= 4;
        }
        consumer.assign(List.of());
        return highest;
    }

    private void ensureOutputTopics() {
        dev.streamtune.schemas.topics.TopicProvisioner.create(config.bootstrapServers(), config.kafkaClient(),
                new dev.streamtune.schemas.topics.TopicDeclaration(config.topics(), 1)
                        .specs(List.of(config.topics().candidates(), config.topics().metrics())));
    }

    private KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        config.kafkaClient().applyTo(props);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<byte[], byte[]> consumer(String groupId) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        config.kafkaClient().applyTo(props);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1_000);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static String deviceName(Device device) {
        return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
    }

    static String codeVersion() {
        String version = TrainerService.class.getPackage().getImplementationVersion();
        return version != null ? version : "streamtune-trainer-dev";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Decodes a delta read back from a version, checking its digest: for tests and tools. */
    static Delta deltaOf(ModelVersion version) {
        ByteBuffer inline = version.getDelta().getInline();
        if (inline == null) {
            throw new IllegalArgumentException("version " + version.getVersion() + " carries its delta by URI");
        }
        byte[] bytes = new byte[inline.remaining()];
        inline.duplicate().get(bytes);
        Delta delta = new Delta(version.getDelta().getFormat().toString(), bytes, version.getDelta().getSha256().toString());
        delta.verifyDigest();
        return delta;
    }
}
