package dev.streamtune.trainer.service;

import ai.djl.Device;
import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.model.technique.TechniqueSettings;
import dev.streamtune.schemas.MetricNames;
import dev.streamtune.schemas.signing.SigningKey;
import dev.streamtune.trainer.TrainingExample;
import dev.streamtune.trainer.StreamingTrainer;
import dev.streamtune.trainer.TrainerState;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training decisions of one task, without Kafka: records go in ({@link #handle}), micro-batches
 * are stepped, and a {@link #publishPoint} returns the {@link Publication} (checkpoint, signed
 * version, metrics event, group offsets) the shell must make durable and visible, in that order.
 * At start it restores a checkpoint ({@link #restore}) and says which version, if any, a crash cut
 * off before it was published ({@link #cutOff}). {@link TrainerService} is its Kafka shell.
 *
 * <p>Single-threaded: the shell's run thread calls every method; the counters are read from any thread.
 */
final class TrainingCore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingCore.class);
    private static final String SOURCE = "trainer";

    private final TrainerServiceConfig config;
    private final TaskSpec spec;
    private final TechniqueTraining technique;
    private final TrainingInput input;
    private final SigningKey signer;
    private final DeltaPlacement deltas;
    private final BaseModel base;
    private final LongSupplier nanoClock;
    private final int rehearsalSteps;
    private final boolean labelSetClosed;
    private final OffsetLedger ledger = new OffsetLedger();
    private final List<TrainingExample> pending = new ArrayList<>();

    private StreamingTrainer trainer;
    private PublishPoint restoredPoint;
    private long parentVersion;
    private long pendingSinceNanos;
    private long unpublishedExamples;
    private double unpublishedLossSum;
    private long unpublishedSteps;
    private long versionStartNanos;
    private long lastPublishNanos;

    // counters: written by the run thread, read by any
    private volatile long examplesTrained;
    private volatile long steps;
    private volatile long versionsPublished;
    private volatile long lastPublishedVersion;
    private volatile double lastLoss = Double.NaN;
    private volatile long recordsSkipped;
    private volatile long unknownLabels;
    private volatile long malformed;
    private volatile int labelCount;

    /**
     * @param technique the task's technique, its source prompts resolved where it has sources
     * @param input how the task's records decode; its tokenizer may call back into {@link #trainer()}
     * @param deltas where a version's delta goes (inline or an artifact store)
     * @param nanoClock {@link System#nanoTime} in production
     */
    TrainingCore(TrainerServiceConfig config, TaskSpec spec, TechniqueTraining technique, TrainingInput input,
            SigningKey signer, DeltaPlacement deltas, BaseModel base, LongSupplier nanoClock) {
        this.config = Objects.requireNonNull(config, "config");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.technique = Objects.requireNonNull(technique, "technique");
        this.input = Objects.requireNonNull(input, "input");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.deltas = Objects.requireNonNull(deltas, "deltas");
        this.base = Objects.requireNonNull(base, "base");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.rehearsalSteps = TechniqueTraining.rehearsalSteps(spec, config.task(), technique.defaultRehearsalSteps());
        this.labelSetClosed = spec.getLabelSetClosed();
        long now = nanoClock.getAsLong();
        versionStartNanos = now;
        lastPublishNanos = now;
    }

    /** The current trainer; null while an open task without declared labels has seen no example. */
    StreamingTrainer trainer() {
        return trainer;
    }

    TechniqueTraining technique() {
        return technique;
    }

    TrainingInput input() {
        return input;
    }

    /** The highest version of the task already on models.candidates: the next version is numbered after it. */
    void publishedUpTo(long highestPublished) {
        lastPublishedVersion = highestPublished;
    }

    /** Starts fresh: reads every partition from {@code begins}; a task with declared labels gets its trainer now. */
    void startFresh(Map<TopicPartition, Long> begins) {
        begins.forEach(ledger::track);
        if (!spec.getLabels().isEmpty()) {
            trainer = technique.create(spec.getLabels().stream().map(Object::toString).toList());
        }
        parentVersion = 0;
        afterStart();
    }

    /**
     * Continues {@code state}: each partition from the checkpoint's next offset (its begin in
     * {@code begins} for one the checkpoint does not know). Returns where to seek.
     */
    Map<TopicPartition, Long> restore(TrainerState state, Map<TopicPartition, Long> begins) {
        trainer = technique.restore(state);
        restoredPoint = PublishPoint.fromAnnotations(state.annotations());
        Map<TopicPartition, Long> firsts = restoredPoint == null ? Map.of() : restoredPoint.firsts();
        Map<TopicPartition, Long> positions = new LinkedHashMap<>();
        begins.forEach((partition, begin) -> {
            Long next = state.nextOffsets().get(OffsetLedger.key(partition));
            long position = next != null ? next : begin;
            ledger.restore(partition, firsts.getOrDefault(partition, begin), position);
            positions.put(partition, position);
        });
        parentVersion = checkpointVersion();
        afterStart();
        return positions;
    }

    /** The version the restored checkpoint recorded; 0 when fresh. */
    long checkpointVersion() {
        return restoredPoint == null ? 0 : restoredPoint.version();
    }

    /**
     * The version a crash cut off between its checkpoint (a) and its publish (b), as the checkpoint
     * recorded it, when it is newer than the {@linkplain #publishedUpTo highest published}; empty otherwise.
     */
    Optional<Publication> cutOff() throws IOException {
        if (restoredPoint == null || restoredPoint.version() <= lastPublishedVersion) {
            return Optional.empty();
        }
        return Optional.of(publication(restoredPoint, null));
    }

    /** Where learning began per partition: a trainer that retains its input re-reads from here to the positions. */
    Map<TopicPartition, Long> firsts() {
        return ledger.firsts();
    }

    Map<TopicPartition, Long> positions() {
        return ledger.positionsByPartition();
    }

    Map<String, Long> positionKeys() {
        return ledger.positions();
    }

    private void afterStart() {
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
    }

    /** One record of the input topic, in offset order per partition. */
    void handle(ConsumerRecord<byte[], byte[]> record) {
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
            trainer = technique.create(List.of(label));
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
        TrainingExample example;
        try {
            example = input.example(decoded, labelIndex);
        } catch (IllegalArgumentException e) {
            malformed++;
            LOG.warn("Skipping example '{}' at {}@{}: {}", decoded.exampleId(), partition, record.offset(),
                    e.getMessage());
            return;
        }
        if (pending.isEmpty()) {
            pendingSinceNanos = nanoClock.getAsLong();
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
     * A record re-read after a restart by a trainer that {@link StreamingTrainer#retainsInput() retains its
     * input}: a train example is retained again (not counted), a validation example offered.
     */
    void retainAgain(ConsumerRecord<byte[], byte[]> record) {
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

    /** Steps a partial micro-batch that waited {@code maxBatchWait}. */
    void stepIfWaited() {
        if (!pending.isEmpty() && nanoClock.getAsLong() - pendingSinceNanos >= config.maxBatchWait().toNanos()) {
            stepPending();
        }
    }

    /** Examples learned or pending since the last published version. */
    long unpublished() {
        return unpublishedExamples + pending.size();
    }

    /** Whether {@code publishEveryExamples} examples are unpublished. */
    boolean fullVersion() {
        return unpublished() >= config.publishEveryExamples();
    }

    /** Whether a version is due: N examples, the publish interval passed, or the input is idle; never an empty one. */
    boolean due(boolean idle) {
        boolean due = fullVersion() || nanoClock.getAsLong() - lastPublishNanos >= config.publishInterval().toNanos()
                || idle;
        return due && unpublished() > 0;
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

    /**
     * Steps what is pending, lets the trainer consolidate, and decides the next version: the
     * checkpoint to save first, then the version and metrics to publish.
     */
    Publication publishPoint() throws IOException {
        stepPending();
        trainer.consolidate();
        long version = PoisonRecords.nextVersion(Math.max(lastPublishedVersion, parentVersion));
        Map<String, Long> sources = new LinkedHashMap<>();
        technique.sourcePrompts().ifPresent(p -> p.names().forEach(name -> {
            int at = name.lastIndexOf("@v");
            sources.put(name.substring(0, at), Long.parseLong(name.substring(at + 2)));
        }));
        PublishPoint point = new PublishPoint(version, parentVersion, ledger.newRanges(), ledger.firsts(),
                unpublishedSteps == 0 ? Double.NaN : unpublishedLossSum / unpublishedSteps, lastLoss,
                (nanoClock.getAsLong() - versionStartNanos) / 1_000_000,
                Instant.ofEpochMilli(System.currentTimeMillis()), unpublishedExamples, sources);
        TrainerState checkpoint = trainer.snapshot(ledger.positions()).withAnnotations(point.toAnnotations());
        return publication(point, checkpoint);
    }

    /** The version {@code point} describes, with the trainer in that point's state. */
    private Publication publication(PublishPoint point, TrainerState checkpoint) throws IOException {
        Map<String, Double> trainMetrics = new LinkedHashMap<>();
        trainMetrics.put(MetricNames.LOSS, point.trainLoss());
        trainMetrics.put("last_loss", point.lastLoss());
        trainMetrics.put(MetricNames.EXAMPLES_PER_S, point.examplesPerSecond());
        trainMetrics.put("new_examples", (double) point.newExamples());
        ModelVersion version = signer.sign(ModelVersion.newBuilder()
                .setTask(config.task())
                .setVersion(point.version())
                .setParentVersion(point.parentVersion() == 0 ? null : point.parentVersion())
                .setTechnique(trainer.techniqueSpec().techniqueId())
                .setHyperparameters(new LinkedHashMap<>(hyperparameters()))
                .setBase(base)
                .setLabels(new ArrayList<>(trainer.labels()))
                .setTrainableParams(trainer.trainableParameterCount())
                .setOffsetRanges(point.newRanges())
                .setCumulativeOffsetRanges(point.cumulativeRanges(ledger.positionsByPartition()))
                .setExamplesSeen(trainer.examplesSeen())
                .setSteps(trainer.step())
                .setTrainMetrics(trainMetrics)
                .setWallTimeMs(point.wallTimeMs())
                .setDevice(deviceName(trainer.device()))
                .setCodeVersion(codeVersion())
                .setCreatedAt(point.createdAt())
                .setDelta(deltas.place(trainer.delta()))
                .build());
        Map<String, Double> values = new LinkedHashMap<>();
        values.put(MetricNames.LOSS, point.trainLoss());
        values.put(MetricNames.EXAMPLES_PER_S, point.examplesPerSecond());
        values.put(MetricNames.EXAMPLES_SEEN, (double) trainer.examplesSeen());
        values.put(MetricNames.STEPS, (double) trainer.step());
        MetricsEvent metrics = MetricsEvent.newBuilder()
                .setTask(config.task())
                .setKind(MetricKind.TRAINING)
                .setSource(SOURCE)
                .setVersion(point.version())
                .setValues(values)
                .setLabels(new ArrayList<>(trainer.labels()))
                .setTimestamp(point.createdAt())
                .build();
        return new Publication(point, checkpoint, version, metrics, ledger.positionsByPartition());
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
        settings.put(TrainerService.REHEARSAL_STEPS, Integer.toString(rehearsalSteps));
        trainer.trainableFraction().ifPresent(f -> settings.put("trainable_fraction", Double.toString(f)));
        technique.sourcePrompts().ifPresent(p -> settings.put("source_versions", String.join(",", p.names())));
        return settings;
    }

    /** Called once {@code publication} is committed on Kafka: the next version starts from here. */
    void published(Publication publication) {
        long version = publication.point().version();
        versionsPublished++;
        lastPublishedVersion = version;
        if (publication.checkpoint() == null) {
            return; // a cut-off version re-published: the ledger and parent are the checkpoint's already
        }
        ledger.published();
        parentVersion = version;
        unpublishedExamples = 0;
        unpublishedLossSum = 0;
        unpublishedSteps = 0;
        versionStartNanos = nanoClock.getAsLong();
        lastPublishNanos = versionStartNanos;
    }

    /** The counters of this core; {@code examplesPerSecond}, {@code lag} and {@code poison} are the shell's. */
    TrainerCounters counters(double examplesPerSecond, long lag, long poison) {
        return new TrainerCounters(examplesTrained, steps, versionsPublished, lastPublishedVersion, lastLoss,
                examplesPerSecond, lag, recordsSkipped, unknownLabels, malformed, labelCount, poison);
    }

    long examplesTrained() {
        return examplesTrained;
    }

    @Override
    public void close() {
        if (trainer != null) {
            trainer.close();
        }
    }

    static String deviceName(Device device) {
        return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
    }

    static String codeVersion() {
        String version = TrainingCore.class.getPackage().getImplementationVersion();
        return version != null ? version : "streamtune-trainer-dev";
    }
}
