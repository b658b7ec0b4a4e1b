package dev.streamtune.subscriber;

import dev.streamtune.loader.DirectoryArtifactStore;
import dev.streamtune.loader.LoadedModel;
import dev.streamtune.loader.ModelLoader;
import dev.streamtune.loader.ModelRejectedException;
import dev.streamtune.loader.Prediction;
import dev.streamtune.loader.RejectionReason;
import dev.streamtune.loader.SentenceEmbedderEncoders;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted model-update topic in a downstream service's process and serves the current model of one
 * task (or of every task).
 *
 * <p>It reads the topic from the beginning without a consumer group, so every instance, however late it starts,
 * replays the history; for each task it then loads the newest update that verifies (falling back to older ones if
 * the newest is refused) and from then on applies updates as they arrive. Each is verified and loaded completely by
 * {@link ModelLoader} before one atomic swap ({@link ServingModels}); a refused update leaves the current model
 * serving and is reported to {@link #onRejected} listeners.
 *
 * <p>One background thread polls; {@link #predict} may be called from any number of threads.
 */
public final class ModelSubscriber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelSubscriber.class);

    private final SubscriberConfig config;
    private final ServingModels serving;
    private final AutoCloseable ownedEncoders;
    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<ModelUpdate> deserializer;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;

    private ModelSubscriber(SubscriberConfig config, ModelLoader loader, AutoCloseable ownedEncoders) {
        this.config = config;
        this.serving = new ServingModels(loader, config.trustedKeys());
        this.ownedEncoders = ownedEncoders;
        AvroSerdeConfig serde = AvroSerdeConfig.of(config.registryUrl());
        this.deserializer = new AvroDeserializer<>(SchemaRegistryClients.create(serde), serde, ModelUpdate.class);
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        config.kafkaClient().applyTo(props);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // the evaluator publishes in transactions: never serve an update it aborted
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamtune-subscriber-" + config.task().orElse("all"));
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "streamtune-subscriber-" + config.task().orElse("all"));
        this.thread.setDaemon(true);
    }

    /**
     * Starts following updates: MiniLM (or whatever backbone a version names) runs in this process through ONNX
     * Runtime, opened when the first model on it loads.
     */
    public static ModelSubscriber start(SubscriberConfig config) {
        Objects.requireNonNull(config, "config");
        SentenceEmbedderEncoders encoders = new SentenceEmbedderEncoders(config.embedder());
        ModelLoader loader = ModelLoader.standard(config.artifactDirectory().map(DirectoryArtifactStore::new),
                encoders);
        return start(config, loader, encoders);
    }

    /** Starts with a loader of the caller's making (its own backbones, encoders or artifact store). */
    public static ModelSubscriber start(SubscriberConfig config, ModelLoader loader) {
        return start(config, loader, null);
    }

    private static ModelSubscriber start(SubscriberConfig config, ModelLoader loader, AutoCloseable ownedEncoders) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(loader, "loader");
        ModelSubscriber subscriber = new ModelSubscriber(config, loader, ownedEncoders);
        subscriber.thread.start();
        return subscriber;
    }

    public SubscriberConfig config() {
        return config;
    }

    /** Called after every swap, on the subscriber's thread; keep it short. */
    public ModelSubscriber onUpdate(Consumer<ModelSwap> listener) {
        serving.onUpdate(listener);
        return this;
    }

    /** Called for every refused update, on the subscriber's thread; the previous model keeps serving. */
    public ModelSubscriber onRejected(Consumer<ModelRejectedException> listener) {
        serving.onRejected(listener);
        return this;
    }

    /** Predicts with the followed task's current model. */
    public Prediction predict(String text) {
        return serving.predict(singleTask(), text);
    }

    /** Predicts with {@code task}'s current model (when following every task). */
    public Prediction predict(String task, String text) {
        return serving.predict(task, text);
    }

    /** The followed task's serving version, empty before its first model loads. */
    public OptionalLong currentVersion() {
        return currentVersion(singleTask());
    }

    /** Updates refused so far, by reason; the models serving are unchanged by each. */
    public Map<RejectionReason, Long> rejections() {
        return serving.rejections();
    }

    public OptionalLong currentVersion(String task) {
        return serving.current(task).map(m -> OptionalLong.of(m.version())).orElse(OptionalLong.empty());
    }

    public Optional<LoadedModel> currentModel(String task) {
        return serving.current(task);
    }

    /** Every task's serving model. */
    public Map<String, LoadedModel> models() {
        return serving.all();
    }

    /** Waits until the history present at start has been replayed (and its newest loadable models swapped in). */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits until {@code task} serves exactly {@code version}. */
    public boolean awaitVersion(String task, long version, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            OptionalLong current = currentVersion(task);
            if (current.isPresent() && current.getAsLong() == version) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private String singleTask() {
        if (config.task().isPresent()) {
            return config.task().get();
        }
        Map<String, LoadedModel> all = serving.all();
        if (all.size() == 1) {
            return all.keySet().iterator().next();
        }
        throw new IllegalStateException("this subscriber follows every task and serves " + all.keySet()
                + "; name the task: predict(task, text) / currentVersion(task)");
    }

    private void run() {
        try {
            List<TopicPartition> partitions = awaitPartitions();
            if (partitions.isEmpty()) {
                return;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> historyEnd = new HashMap<>(consumer.endOffsets(partitions));
            Map<String, List<ModelUpdate>> history = new LinkedHashMap<>();
            boolean replaying = true;
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(config.pollTimeout())) {
                    ModelUpdate update = decode(record);
                    if (update == null || !follows(update.getTask())) {
                        continue;
                    }
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (replaying && record.offset() < historyEnd.getOrDefault(tp, 0L)) {
                        history.computeIfAbsent(update.getTask(), t -> new ArrayList<>()).add(update);
                    } else {
                        serving.apply(update);
                    }
                }
                if (replaying && replayed(partitions, historyEnd)) {
                    replaying = false;
                    history.forEach((task, updates) -> {
                        List<ModelUpdate> newestFirst = new ArrayList<>(updates);
                        Collections.reverse(newestFirst);
                        serving.applyNewestLoadable(newestFirst);
                    });
                    history.clear();
                    LOG.info("model updates replayed; serving {}", serving.all().keySet());
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("subscriber woken up while running", e);
            }
        } catch (RuntimeException e) {
            LOG.error("model subscriber stopped on an unexpected error; the last loaded models keep serving", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private boolean replayed(List<TopicPartition> partitions, Map<TopicPartition, Long> end) {
        for (TopicPartition tp : partitions) {
            // position() may fetch; the partitions are assigned, so it returns promptly
            if (consumer.position(tp) < end.getOrDefault(tp, 0L)) {
                return false;
            }
        }
        return true;
    }

    /** The topic's partitions; an absent topic is waited for (the evaluator may create it later). */
    private List<TopicPartition> awaitPartitions() throws WakeupException {
        boolean logged = false;
        while (running) {
            List<PartitionInfo> infos = consumer.partitionsFor(config.updatesTopic(), Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (PartitionInfo info : infos) {
                    partitions.add(new TopicPartition(info.topic(), info.partition()));
                }
                return partitions;
            }
            if (!logged) {
                LOG.info("topic '{}' does not exist yet; waiting for it", config.updatesTopic());
                logged = true;
            }
            try {
                Thread.sleep(config.pollTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
        return List.of();
    }

    private boolean follows(String task) {
        return config.task().map(t -> t.equals(task)).orElse(true);
    }

    private ModelUpdate decode(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return null; // a tombstone: the task was deleted upstream; keep serving what we have
        }
        try {
            return deserializer.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            if (record.key() == null || follows(record.key())) {
                serving.reject(new ModelRejectedException(RejectionReason.UNDECODABLE_EVENT, record.key(), 0,
                        "record at " + record.topic() + "-" + record.partition() + "@" + record.offset()
                                + " is not a ModelUpdate: " + e.getMessage(), e));
            }
            return null;
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(15).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownedEncoders != null) {
            try {
                ownedEncoders.close();
            } catch (Exception e) {
                LOG.warn("closing the sentence encoders failed", e);
            }
        }
    }
}
