package dev.streamtune.evaluator.service;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Split;
import dev.streamtune.evaluator.PrequentialAccuracy;
import dev.streamtune.evaluator.PromotionGate;
import dev.streamtune.schemas.ProducerSettings;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import dev.streamtune.loader.DirectoryArtifactStore;
import dev.streamtune.loader.ModelLoader;
import dev.streamtune.loader.TextEncoderProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import dev.streamtune.schemas.signing.ModelTrust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluator as a Kafka service, on one thread of its own:
 * <ol>
 *   <li>At start it replays the compacted {@code models.updates} topic (each task's champion), the features
 *       topics (each task's validation and test vectors) and the split topics (the same examples as text, for
 *       versions that run the encoder themselves), read_committed, from the beginning.
 *   <li>Then it follows both, and consumes {@code models.candidates} in a consumer group. Each candidate is loaded
 *       with the subscriber's {@link ModelLoader} (the same verification a downstream service applies), scored on
 *       validation (an EVALUATION metrics event; head-only versions from the vectors, other techniques from the
 *       texts, in batches), and judged by the {@link PromotionGate} against the champion on the same examples. A promotion publishes a PROMOTE {@code ModelUpdate} keyed by task and the new champion's
 *       TEST evaluation.
 *   <li>Every live train example is first predicted by its task's champion (prequential accuracy: its vector for a
 *       head-only champion, its text from {@code examples.train} for any other), published periodically.
 * </ol>
 * What one poll round decides (updates, metrics, and the candidate offsets it consumed) is published in one Kafka
 * transaction, so a crash either publishes a verdict together with the offset of its candidate or neither, and the
 * candidate is judged again after a restart. The decisions themselves live in {@link EvaluationState}.
 */
public final class EvaluatorService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluatorService.class);
    private static final Duration STATUS_INTERVAL = Duration.ofSeconds(30);
    private static final Duration ASSIGNMENT_REFRESH = Duration.ofSeconds(2);

    private final EvaluatorConfig config;
    private final Signatures signatures;
    private final EvaluationState state;
    private final AvroDeserializer<FeatureVector> featureDeserializer;
    private final AvroDeserializer<LabelledExample> exampleDeserializer;
    private final Map<String, Split> splitByTopic;
    private final AvroDeserializer<ModelUpdate> updateDeserializer;
    private final AvroDeserializer<ModelVersion> candidateDeserializer;
    private final AvroSerializer<SpecificRecord> serializer;
    private final KafkaConsumer<String, byte[]> stateConsumer;
    private final KafkaConsumer<String, byte[]> candidateConsumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Thread thread;
    private final EvaluatorMeters meters;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Map<String, Long> championVersions = new ConcurrentHashMap<>();
    private final Set<TopicPartition> assigned = new HashSet<>();
    private volatile boolean running = true;
    private volatile Throwable failure;
    private boolean inTransaction;
    private long candidatesSeen;
    private long promotions;
    private long featuresSeen;
    private long examplesSeen;

    private EvaluatorService(EvaluatorConfig config, ModelLoader loader, Clock clock, ModelTrust trust) {
        this.config = config;
        this.signatures = new Signatures(trust);
        this.state = new EvaluationState(loader, new PromotionGate(config.gate()),
                new PrequentialAccuracy(config.prequentialWindow()), EvaluatorConfig.SOURCE,
                config.prequentialInterval(), clock, config.maxHeldOut());
        AvroSerdeConfig serde = AvroSerdeConfig.of(config.registryUrl());
        SchemaRegistryClient registry = SchemaRegistryClients.create(serde);
        this.featureDeserializer = new AvroDeserializer<>(registry, serde, FeatureVector.class);
        this.exampleDeserializer = new AvroDeserializer<>(registry, serde, LabelledExample.class);
        this.splitByTopic = Map.of(config.topics().train(), Split.TRAIN, config.topics().validation(), Split.VALIDATION,
                config.topics().test(), Split.TEST);
        this.updateDeserializer = new AvroDeserializer<>(registry, serde, ModelUpdate.class);
        this.candidateDeserializer = new AvroDeserializer<>(registry, serde, ModelVersion.class);
        this.serializer = new AvroSerializer<>(registry, serde, false);

        Map<String, Object> common = new HashMap<>();
        common.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        config.kafkaClient().applyTo(common);
        common.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        common.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        common.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, Object> stateProps = new HashMap<>(common);
        stateProps.put(ConsumerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-state");
        stateProps.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        this.stateConsumer = new KafkaConsumer<>(stateProps, new StringDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> candidateProps = new HashMap<>(common);
        candidateProps.put(ConsumerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-candidates");
        candidateProps.put(ConsumerConfig.GROUP_ID_CONFIG, config.applicationId());
        // deltas travel inline up to ~900 KB: a few candidates per poll is plenty
        candidateProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 16);
        this.candidateConsumer = new KafkaConsumer<>(candidateProps, new StringDeserializer(),
                new ByteArrayDeserializer());
        Map<String, Object> producerProps = ProducerSettings.transactional(config.kafkaClient().with(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers())), config.applicationId() + "-tx");
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-producer");
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        this.thread = new Thread(this::run, "streamtune-evaluator");
        this.meters = new EvaluatorMeters(signatures::refusedCandidates, List.of(stateConsumer, candidateConsumer, producer));
    }

    /**
     * Starts the service with the standard backbones and model factories, and the directory artifact store of
     * {@link EvaluatorConfig#artifactDirectory()} for deltas sent by URI (the store the subscriber reads them from).
     */
    public static EvaluatorService start(EvaluatorConfig config, ModelTrust trust) {
        Objects.requireNonNull(config, "config");
        return start(config, ModelLoader.standard(config.artifactDirectory().map(DirectoryArtifactStore::new),
                TextEncoderProvider.NONE), Clock.systemUTC(), trust);
    }

    /**
     * Starts the service with a loader and clock of the caller's making.
     *
     * @param trust the evaluator's key, which signs every update it publishes, and the trainers' public keys: a
     *              candidate not signed by one of them is never scored, and goes to the dead-letter topic
     */
    public static EvaluatorService start(EvaluatorConfig config, ModelLoader loader, Clock clock, ModelTrust trust) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(trust, "trust");
        EvaluatorTopics.ensure(config);
        EvaluatorService service = new EvaluatorService(config, Objects.requireNonNull(loader, "loader"),
                Objects.requireNonNull(clock, "clock"), trust);
        service.thread.start();
        return service;
    }

    public EvaluatorConfig config() {
        return config;
    }

    /**
     * Waits until the start-up replay of champions and held-out vectors is done and candidates are being judged.
     *
     * @return false on timeout, or when the service stopped on an error before it was ready (see {@link #failure()})
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && failure == null;
    }

    /** The task's champion version as of the last poll round. */
    public OptionalLong championVersion(String task) {
        Long version = championVersions.get(task);
        return version == null ? OptionalLong.empty() : OptionalLong.of(version);
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    /** The error that stopped the service, if one did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    private void run() {
        try {
            producer.initTransactions();
            refreshAssignment();
            replayHistory();
            candidateConsumer.subscribe(List.of(config.topics().candidates()));
            ready.countDown();
            LOG.info("evaluator ready: champions {}, following {} and {}", championVersions,
                    config.featureTopics(), config.topics().candidates());
            long nextRefresh = System.nanoTime() + ASSIGNMENT_REFRESH.toNanos();
            long nextStatus = System.nanoTime() + STATUS_INTERVAL.toNanos();
            while (running) {
                if (System.nanoTime() > nextRefresh) {
                    refreshAssignment();
                    nextRefresh = System.nanoTime() + ASSIGNMENT_REFRESH.toNanos();
                }
                List<Output> outputs = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> record : stateConsumer.poll(config.pollTimeout())) {
                    outputs.addAll(onStateRecord(record, true));
                }
                ConsumerRecords<String, byte[]> candidates = candidateConsumer.poll(config.pollTimeout());
                for (ConsumerRecord<String, byte[]> record : candidates) {
                    outputs.addAll(onCandidate(record));
                }
                outputs.addAll(state.prequentialDue());
                if (!outputs.isEmpty() || !candidates.isEmpty()) {
                    publish(outputs);
                }
                publishChampionVersions();
                if (System.nanoTime() > nextStatus) {
                    logStatus();
                    nextStatus = System.nanoTime() + STATUS_INTERVAL.toNanos();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
                LOG.error("evaluator woken up while running", e);
            }
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("evaluator stopped: {}; a restart replays the topics and judges unpublished candidates again",
                    e.toString(), e);
        } finally {
            ready.countDown();
            if (inTransaction) {
                // read_committed readers wait behind an open transaction: end it now rather than at its timeout
                closeQuietly(producer::abortTransaction, "open transaction");
            }
            closeQuietly(candidateConsumer::close, "candidate consumer");
            closeQuietly(stateConsumer::close, "state consumer");
            closeQuietly(() -> producer.close(Duration.ofSeconds(5)), "producer");
            closeQuietly(meters.meters()::close, "meters");
        }
    }

    /** Assigns every partition of the updates, features and split topics, new ones from the beginning. */
    private void refreshAssignment() {
        List<String> topics = new ArrayList<>(config.featureTopics());
        topics.addAll(config.topics().splits());
        topics.add(config.topics().updates());
        List<TopicPartition> added = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = stateConsumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null) {
                continue;
            }
            for (PartitionInfo info : infos) {
                TopicPartition tp = new TopicPartition(info.topic(), info.partition());
                if (assigned.add(tp)) {
                    added.add(tp);
                }
            }
        }
        if (!added.isEmpty()) {
            stateConsumer.assign(new ArrayList<>(assigned));
            stateConsumer.seekToBeginning(added);
            LOG.info("reading {} from the beginning", added);
        }
    }

    /** Reads the updates, features and split topics up to their current end: champions, then held-out examples. */
    private void replayHistory() {
        Map<TopicPartition, Long> end = stateConsumer.endOffsets(new ArrayList<>(assigned));
        Map<String, ConsumerRecord<String, byte[]>> latestUpdate = new LinkedHashMap<>();
        long total = end.values().stream().mapToLong(Long::longValue).sum();
        long started = System.nanoTime();
        long nextProgress = started + TimeUnit.SECONDS.toNanos(5);
        long read = 0;
        while (running && !reached(end)) {
            for (ConsumerRecord<String, byte[]> record : stateConsumer.poll(config.pollTimeout())) {
                read++;
                if (record.topic().equals(config.topics().updates())) {
                    ModelUpdate update = ownUpdate(record);
                    if (update != null) {
                        latestUpdate.put(update.getTask(), record);
                    }
                } else {
                    onStateRecord(record, false);
                }
            }
            if (System.nanoTime() > nextProgress) {
                double seconds = (System.nanoTime() - started) / 1e9;
                double rate = read / seconds;
                LOG.info("replaying history: {} of about {} records, {} records/s, ETA {} s", read, total,
                        String.format("%.0f", rate), rate > 0 ? String.format("%.0f", (total - read) / rate) : "?");
                nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            }
        }
        for (ConsumerRecord<String, byte[]> record : latestUpdate.values()) {
            state.applyUpdate(ownUpdate(record), record.offset());
        }
        publishChampionVersions();
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (stateConsumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private List<Output> onStateRecord(ConsumerRecord<String, byte[]> record, boolean live) {
        if (record.topic().equals(config.topics().updates())) {
            ModelUpdate update = ownUpdate(record);
            if (update != null) {
                state.applyUpdate(update, record.offset());
            }
            return List.of();
        }
        meters.seen(record);
        Split split = splitByTopic.get(record.topic());
        if (split != null) {
            examplesSeen++;
            if (record.value() == null) {
                if (record.key() != null) {
                    state.texts().remove(record.key());
                }
                return List.of();
            }
            LabelledExample example = decode(exampleDeserializer, record);
            return example == null ? List.of() : state.onExample(example, split, live);
        }
        featuresSeen++;
        if (record.value() == null) {
            if (record.key() != null) {
                state.features().remove(record.key());
            }
            return List.of();
        }
        FeatureVector feature = decode(featureDeserializer, record);
        return feature == null ? List.of() : state.onFeature(feature, live);
    }

    private List<Output> onCandidate(ConsumerRecord<String, byte[]> record) {
        candidatesSeen++;
        ModelVersion candidate = decode(candidateDeserializer, record);
        if (candidate == null) {
            return List.of();
        }
        Optional<Output.DeadLetter> refused = signatures.refuse(candidate, record);
        if (refused.isPresent()) {
            return List.of(refused.get());
        }
        String backbone = candidate.getBase() == null ? null : candidate.getBase().getBackbone();
        if (!EvaluationState.readsText(candidate.getTechnique()) && !config.backbones().contains(backbone)) {
            // no features topic of that backbone is read here, so it would wait for validation data forever
            LOG.warn("task '{}': candidate version {} is on backbone '{}', but this evaluator reads features of {} only;"
                    + " skipped", candidate.getTask(), candidate.getVersion(), backbone, config.backbones());
            return List.of();
        }
        return state.onCandidate(candidate, new CandidatePosition(record.topic(), record.partition(), record.offset()));
    }

    private <T> T decode(AvroDeserializer<T> deserializer, ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            return deserializer.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            LOG.warn("skipping undecodable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return null;
        }
    }

    /** One transaction: every output, plus the candidate offsets consumed (never past a waiting candidate). */
    private void publish(List<Output> outputs) {
        // offsets first: position() may block on the broker, and nothing may block inside an open transaction
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Map<String, Map<Integer, Long>> floors = state.waitingFloors();
        for (TopicPartition tp : candidateConsumer.assignment()) {
            long position = candidateConsumer.position(tp);
            long floor = floors.getOrDefault(tp.topic(), Map.of()).getOrDefault(tp.partition(), Long.MAX_VALUE);
            offsets.put(tp, new OffsetAndMetadata(Math.min(position, floor)));
        }
        producer.beginTransaction();
        inTransaction = true;
        List<Future<RecordMetadata>> updateWrites = new ArrayList<>();
        List<ModelUpdate> updates = new ArrayList<>();
        for (Output output : outputs) {
            if (output instanceof Output.Update u) {
                updateWrites.add(producer.send(new ProducerRecord<>(config.topics().updates(), u.task(),
                        serializer.serialize(config.topics().updates(), signatures.sign(u.update())))));
                updates.add(u.update());
                promotions++;
            } else if (output instanceof Output.DeadLetter d) {
                producer.send(signatures.deadLetter(d, config.topics().dlq()));
            } else if (output instanceof Output.Metrics m) {
                producer.send(new ProducerRecord<>(config.topics().metrics(), m.task(),
                        serializer.serialize(config.topics().metrics(), m.event())));
            }
        }
        if (!offsets.isEmpty()) {
            producer.sendOffsetsToTransaction(offsets, candidateConsumer.groupMetadata());
        }
        producer.commitTransaction();
        inTransaction = false;
        meters.committed(outputs);
        for (int i = 0; i < updates.size(); i++) {
            try {
                RecordMetadata metadata = updateWrites.get(i).get();
                state.confirmPublished(updates.get(i).getTask(), updates.get(i).getVersion(), metadata.offset());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted after committing an update", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("update write failed after commit", e.getCause());
            }
        }
    }

    /** An update this evaluator signed; anything else on the updates topic is ignored (see {@link Signatures}). */
    private ModelUpdate ownUpdate(ConsumerRecord<String, byte[]> record) {
        ModelUpdate update = decode(updateDeserializer, record);
        return update != null && signatures.isOwn(update, record) ? update : null;
    }

    /** Candidates refused for their signature, by reason (CANDIDATE_UNSIGNED, CANDIDATE_UNKNOWN_KEY, ...). */
    public Map<String, Long> refusedCandidates() {
        return signatures.refusedCandidates();
    }

    /** Gate decisions, updates, refusals, freshness and the Kafka clients' metrics, to bind where /metrics is served. */
    public dev.streamtune.schemas.metrics.ServiceMeters meters() {
        return meters.meters();
    }

    /** Updates on the updates topic this evaluator did not sign, ignored, by reason. */
    public Map<String, Long> refusedUpdates() {
        return signatures.refusedUpdates();
    }

    private void publishChampionVersions() {
        for (String task : state.championTasks()) {
            state.champion(task).ifPresent(c -> championVersions.put(task, c.model().version()));
        }
    }

    private void logStatus() {
        LOG.info("status: {} feature records, {} example records, {} candidates read, {} promotions; champions {};"
                + " waiting {}; refused {}", featuresSeen, examplesSeen, candidatesSeen, promotions, championVersions,
                state.waiting(), signatures.refusedCandidates());
    }

    private static void closeQuietly(Runnable close, String what) {
        try {
            close.run();
        } catch (RuntimeException e) {
            LOG.warn("closing the {} failed", what, e);
        }
    }

    /** Stops after the current poll round: its transaction completes or aborts, never half-published. */
    @Override
    public void close() {
        running = false;
        stateConsumer.wakeup();
        candidateConsumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
