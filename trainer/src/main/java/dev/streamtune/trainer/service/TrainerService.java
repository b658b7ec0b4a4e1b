package dev.streamtune.trainer.service;

import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.peft.SourcePrompts;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.signing.SigningKey;
import dev.streamtune.loader.DirectoryArtifactStore;
import dev.streamtune.trainer.CheckpointStore;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
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
 * <p>This class is the Kafka shell: it reads, seeks, produces and commits, and leaves every training
 * decision to its {@link TrainingCore}, which returns each {@link Publication} to make durable and
 * visible; what differs per technique sits in its {@link TechniqueTraining}. The clients come from
 * the constructor ({@link TrainerClients#create} for the config's own).
 *
 * <p>{@link #run} does all the work on the calling thread; {@link #stop} (any thread) makes it
 * finish the current batch, publish what is unpublished, and return.
 */
public final class TrainerService implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
    private static final Duration POLL = Duration.ofMillis(100);

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
    /** Rehearsal steps per micro-batch of the head-only technique ({@link HeadTraining}). */
    public static final int DEFAULT_REHEARSAL_STEPS = 2;
    /** Rehearsal steps per micro-batch of the encoder techniques ({@link EncoderTraining}). */
    public static final int DEFAULT_ENCODER_REHEARSAL_STEPS = 0;

    private final TrainerServiceConfig config;
    private final SigningKey signer;
    private final Supplier<TrainerClients> clientSource;
    private final java.util.function.Consumer<PublishPoint> afterCheckpoint;
    private final PoisonRecords poison;
    private final TrainerStartup startup;
    private final CompletableFuture<StartupReport> started = new CompletableFuture<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile Consumer<byte[], byte[]> activeConsumer;
    private volatile Producer<String, byte[]> activeProducer;
    private volatile Throwable failure;
    private volatile TrainingCore core;
    private volatile String waitingFor;
    private volatile double examplesPerSecond;
    private volatile long lag = -1;
    private volatile long lastPublishedVersion;

    /**
     * A trainer with the clients its config names ({@link TrainerClients#create}), built when it runs.
     *
     * @param signer the trainer's key: every candidate it publishes is signed with it, and evaluators score only
     *               candidates signed by a key they trust
     */
    public TrainerService(TrainerServiceConfig config, SigningKey signer) {
        this(config, signer, () -> TrainerClients.create(config), point -> { });
    }

    /** A trainer that works through {@code clients}, and closes them when its run ends. */
    public TrainerService(TrainerServiceConfig config, SigningKey signer, TrainerClients clients) {
        this(config, signer, () -> clients, point -> { });
    }

    /**
     * @param afterCheckpoint runs once a publish point's checkpoint is durable, before its version is
     *     published: a test makes the run end there, as a power cut would
     */
    TrainerService(TrainerServiceConfig config, SigningKey signer, Supplier<TrainerClients> clients,
            java.util.function.Consumer<PublishPoint> afterCheckpoint) {
        this.config = Objects.requireNonNull(config, "config");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.clientSource = Objects.requireNonNull(clients, "clients");
        this.afterCheckpoint = Objects.requireNonNull(afterCheckpoint, "afterCheckpoint");
        this.poison = new PoisonRecords(config.task());
        this.startup = new TrainerStartup(config, poison, () -> stopping);
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
        TrainingCore current = core;
        if (current == null) {
            return new TrainerCounters(0, 0, 0, lastPublishedVersion, Double.NaN, examplesPerSecond, lag, 0, 0, 0, 0,
                    poison.skipped());
        }
        return current.counters(examplesPerSecond, lag, poison.skipped());
    }

    /** The Kafka clients {@link #run} has open (none before it opens them), for {@link TrainerMeters}. */
    List<Object> kafkaClients() {
        return java.util.stream.Stream.of(activeConsumer, activeProducer).filter(java.util.Objects::nonNull)
                .map(Object.class::cast).toList();
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

    /** Asks {@link #run} to finish the current batch, publish and return; does not wait. */
    public void stop() {
        stopping = true;
        Consumer<byte[], byte[]> consumer = activeConsumer;
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
            if (core != null) {
                core.close();
            }
            finished.countDown();
        }
    }

    private void fail(Throwable t) {
        failure = t;
        LOG.error("Trainer for task '{}' failed: {}", config.task(), t.toString(), t);
    }

    private void runUntilStopped() throws Exception {
        Backbone backbone = BackboneRegistry.standard().byId(config.backboneId());
        try (TrainerClients clients = clientSource.get()) {
            Consumer<byte[], byte[]> consumer = clients.consumer();
            activeConsumer = consumer;
            activeProducer = clients.producer();
            if (stopping) {
                return;
            }
            startup.ensureOutputTopics();
            // fences a predecessor's open transaction before we read what it committed
            clients.producer().initTransactions();
            TaskSpec spec = startup.awaitTaskSpec(consumer, deserializer(clients, TaskSpec.class));
            if (spec == null) {
                return;
            }
            TechniqueTraining technique = TechniqueTraining.of(spec, config, backbone);
            DirectoryArtifactStore artifacts = new DirectoryArtifactStore(config.artifactDirectory());
            TrainingCore[] holder = new TrainingCore[1];
            TrainingInput input = technique.input(config, new TechniqueTraining.Deserializers() {
                @Override
                public <T> AvroDeserializer<T> of(Class<T> type) {
                    return deserializer(clients, type);
                }
            }, () -> holder[0].trainer());
            List<TopicPartition> partitions = startup.awaitPartitions(consumer, input.topic());
            if (partitions == null) {
                return;
            }
            CheckpointStore store = new CheckpointStore(config.checkpointDirectory(), config.checkpointsKept());
            CheckpointStore.Restored restored = store.restoreNewest();
            long highest = startup.highestPublishedVersion(consumer, deserializer(clients, ModelVersion.class));
            lastPublishedVersion = highest;
            if (!technique.sourceTasks().isEmpty()) {
                Map<String, Long> pinned = restored.state().map(s -> PublishPoint.sourceVersionsOf(s.annotations()))
                        .orElse(Map.of());
                SourcePromptResolver resolver = new SourcePromptResolver(config, deserializer(clients, ModelUpdate.class),
                        deserializer(clients, ModelVersion.class), artifacts, backbone.hiddenSize(), poison);
                SourcePrompts prompts = startup.awaitSourcePrompts(consumer, resolver, technique, pinned,
                        source -> waitingFor = source);
                if (prompts == null) {
                    return;
                }
                technique = technique.withSourcePrompts(prompts);
            }
            TrainingCore trainingCore = new TrainingCore(config, spec, technique, input, signer,
                    DeltaPlacement.inlineUpTo(config.inlineDeltaLimit(), artifacts),
                    new BaseModel(backbone.id(), backbone.weightsSha256()), System::nanoTime);
            holder[0] = trainingCore;
            core = trainingCore;
            StartupReport report = start(consumer, clients.producer(), clients, trainingCore, partitions, restored,
                    highest);
            if (restored.skipped().isEmpty()) {
                LOG.info("Trainer for task '{}' ({}) on {}: {}", config.task(), technique.id(), input.topic(), report);
            } else {
                LOG.warn("Trainer for task '{}' ({}) on {}: {}", config.task(), technique.id(), input.topic(), report);
            }
            started.complete(report);
            consumeLoop(consumer, clients, store, trainingCore);
        } finally {
            activeConsumer = null;
            activeProducer = null;
        }
    }

    private <T> AvroDeserializer<T> deserializer(TrainerClients clients, Class<T> type) {
        return new AvroDeserializer<>(clients.registry(), config.serde(), type);
    }

    /** Restores the newest checkpoint (or starts fresh), seeks, and publishes a version a crash cut off. */
    private StartupReport start(Consumer<byte[], byte[]> consumer, Producer<String, byte[]> producer,
            TrainerClients clients, TrainingCore trainingCore, List<TopicPartition> partitions,
            CheckpointStore.Restored restored, long highest) throws IOException {
        consumer.assign(partitions);
        Map<TopicPartition, Long> begins = new java.util.TreeMap<>(PublishPoint.PARTITION_ORDER);
        begins.putAll(consumer.beginningOffsets(partitions));
        OptionalLong republished = OptionalLong.empty();
        trainingCore.publishedUpTo(highest);
        if (restored.state().isEmpty()) {
            trainingCore.startFresh(begins);
            begins.forEach(consumer::seek);
        } else {
            Map<TopicPartition, Long> positions = trainingCore.restore(restored.state().get(), begins);
            if (trainingCore.trainer().retainsInput()) {
                rereadRetained(consumer, trainingCore, positions);
            }
            positions.forEach(consumer::seek);
            long checkpointVersion = trainingCore.checkpointVersion();
            Optional<Publication> cutOff = trainingCore.cutOff();
            if (cutOff.isPresent()) {
                // crashed between checkpoint (a) and publish (b): publish exactly what the checkpoint recorded
                publish(producer, clients, cutOff.get());
                commitGroupOffsets(consumer, cutOff.get());
                trainingCore.published(cutOff.get());
                republished = OptionalLong.of(checkpointVersion);
                LOG.warn("Version {} of task '{}' was checkpointed but not published before a crash; published it now",
                        checkpointVersion, config.task());
            } else if (checkpointVersion < highest) {
                LOG.warn("Checkpoint holds version {} but version {} of task '{}' is already published (its newer"
                        + " checkpoint was unusable); training continues from version {}, and the next version,"
                        + " {}, names {} as its parent", checkpointVersion, highest, config.task(), checkpointVersion,
                        highest + 1, checkpointVersion);
            }
        }
        return new StartupReport(restored.path(), restored.skipped(), trainingCore.checkpointVersion(), highest,
                republished, trainingCore.positionKeys());
    }

    private void consumeLoop(Consumer<byte[], byte[]> consumer, TrainerClients clients, CheckpointStore store,
            TrainingCore trainingCore) throws IOException {
        long now = System.nanoTime();
        long statusMarkNanos = now;
        long statusMarkExamples = trainingCore.examplesTrained();
        long emptySinceNanos = -1;
        while (!stopping) {
            ConsumerRecords<byte[], byte[]> records;
            try {
                records = consumer.poll(POLL);
            } catch (WakeupException e) {
                break;
            }
            for (ConsumerRecord<byte[], byte[]> record : records) {
                trainingCore.handle(record);
                if (trainingCore.fullVersion()) {
                    // mid-poll, so a version covers about N examples however many records a poll returns
                    publishPoint(consumer, clients, store, trainingCore);
                }
            }
            trainingCore.stepIfWaited();
            now = System.nanoTime();
            if (records.isEmpty()) {
                emptySinceNanos = emptySinceNanos < 0 ? now : emptySinceNanos;
            } else {
                emptySinceNanos = -1;
            }
            // idle at the end of input: nothing arrived for a quarter of the publish interval (at least a batch
            // wait) and the consumer has caught up. Shorter, and a trickle of input (the featurizer commits a
            // batch every few seconds) would publish a tiny version after every batch.
            long idleBeforePublish = Math.max(config.maxBatchWait().toNanos(), config.publishInterval().toNanos() / 4);
            boolean idle = emptySinceNanos >= 0 && now - emptySinceNanos >= idleBeforePublish && caughtUp(consumer);
            if (trainingCore.due(idle)) {
                publishPoint(consumer, clients, store, trainingCore);
            }
            if (now - statusMarkNanos >= config.statusInterval().toNanos()) {
                long trained = trainingCore.examplesTrained();
                examplesPerSecond = (trained - statusMarkExamples) / ((now - statusMarkNanos) / 1e9);
                statusMarkNanos = now;
                statusMarkExamples = trained;
                logStatus(consumer, trainingCore);
            }
        }
        // graceful stop: finish the batch, then checkpoint and publish what is unpublished
        if (trainingCore.unpublished() > 0) {
            publishPoint(consumer, clients, store, trainingCore);
        }
        LOG.info("Trainer for task '{}' stopped: {}", config.task(), counters());
    }

    private void publishPoint(Consumer<byte[], byte[]> consumer, TrainerClients clients, CheckpointStore store,
            TrainingCore trainingCore) throws IOException {
        Publication publication = trainingCore.publishPoint();
        store.save(publication.checkpoint());                             // (a) durable first
        afterCheckpoint.accept(publication.point());
        publish(clients.producer(), clients, publication);                // (b) then visible
        commitGroupOffsets(consumer, publication);                        // (c) then the group, for lag
        trainingCore.published(publication);
    }

    /** Produces the version and its metrics event in one transaction. */
    private void publish(Producer<String, byte[]> producer, TrainerClients clients, Publication publication) {
        String candidates = config.topics().candidates();
        String metricsTopic = config.topics().metrics();
        AvroSerializer<ModelVersion> versions = new AvroSerializer<>(clients.registry(), config.serde(), false);
        AvroSerializer<MetricsEvent> metrics = new AvroSerializer<>(clients.registry(), config.serde(), false);
        ModelVersion version = publication.version();
        producer.beginTransaction();
        try {
            producer.send(new ProducerRecord<>(candidates, config.task(), versions.serialize(candidates, version)));
            producer.send(new ProducerRecord<>(metricsTopic, config.task(),
                    metrics.serialize(metricsTopic, publication.metrics())));
            producer.commitTransaction();
        } catch (RuntimeException e) {
            // a fenced or failed producer cannot go on; the checkpoint lets the next start publish this version
            throw new IllegalStateException("publishing version " + version.getVersion() + " of task '"
                    + config.task() + "' failed: " + e.getMessage(), e);
        }
        lastPublishedVersion = version.getVersion();
        PublishPoint point = publication.point();
        dev.streamtune.avro.Delta delta = version.getDelta();
        LOG.info("Published version {} of task '{}' (parent {}): {} new examples in {}, {} examples seen, {} steps,"
                + " train loss {}, labels {}, delta {} bytes sha256 {} ({})", version.getVersion(), config.task(),
                point.parentVersion() == 0 ? "none" : point.parentVersion(), point.newExamples(),
                PublishPoint.encodeRanges(point.newRanges()), version.getExamplesSeen(), version.getSteps(),
                String.format("%.4f", point.trainLoss()), version.getLabels(), delta.getSizeBytes(), delta.getSha256(),
                delta.getInline() != null ? "inline" : "at " + delta.getUri());
    }

    private void commitGroupOffsets(Consumer<byte[], byte[]> consumer, Publication publication) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        publication.groupOffsets().forEach((partition, next) -> offsets.put(partition, new OffsetAndMetadata(next)));
        try {
            consumer.commitSync(offsets);
        } catch (RuntimeException e) {
            // only lag monitoring reads the group; the checkpoint already holds the offsets that matter
            LOG.warn("Committing group offsets of task '{}' failed (lag monitoring only): {}", config.task(),
                    e.getMessage());
        }
    }

    /**
     * After a restart, gives a trainer that {@link dev.streamtune.trainer.StreamingTrainer#retainsInput() retains
     * its input} back the examples it held before the crash: the input from the ledger's first offsets up to the
     * checkpoint's positions, train examples retained (not counted again), validation examples offered, nothing
     * published.
     */
    private void rereadRetained(Consumer<byte[], byte[]> consumer, TrainingCore trainingCore,
            Map<TopicPartition, Long> positions) {
        long start = System.nanoTime();
        // what retention has deleted since is gone for the refits too: RangeReader starts at what the log holds
        long reread = RangeReader.read(consumer, trainingCore.firsts(), positions, POLL, () -> stopping,
                trainingCore::retainAgain);
        LOG.info(String.format("Trainer for task '%s': re-read %,d records up to the checkpoint's offsets in %.1f s to"
                + " restore the retained examples", config.task(), reread, (System.nanoTime() - start) / 1e9));
    }

    private boolean caughtUp(Consumer<byte[], byte[]> consumer) {
        for (TopicPartition partition : consumer.assignment()) {
            OptionalLong partitionLag = consumer.currentLag(partition);
            if (partitionLag.isEmpty() || partitionLag.getAsLong() > 0) {
                return false;
            }
        }
        return true;
    }

    private void logStatus(Consumer<byte[], byte[]> consumer, TrainingCore trainingCore) {
        long total = 0;
        try {
            Map<TopicPartition, Long> positions = trainingCore.positions();
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(5));
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                total += Math.max(0, end.getValue() - positions.getOrDefault(end.getKey(), end.getValue()));
            }
            lag = total;
        } catch (RuntimeException e) {
            LOG.debug("End offsets unavailable for the status line: {}", e.getMessage());
        }
        TrainerCounters counters = counters();
        double rate = examplesPerSecond;
        String eta = lag <= 0 ? "caught up" : rate > 0 ? String.format("%.0f s", lag / rate) : "unknown";
        LOG.info(String.format("trainer[%s/%s]: %,d examples trained at %,.1f/s, lag %,d records, ETA %s, version %d,"
                + " last loss %.4f, %d labels", config.task(), trainingCore.technique().id(), counters.examplesTrained(),
                rate, lag, eta, counters.lastPublishedVersion(), counters.lastLoss(), counters.labels()));
    }
}
