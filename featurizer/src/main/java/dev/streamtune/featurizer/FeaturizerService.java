package dev.streamtune.featurizer;

import dev.streamtune.model.SentenceEmbedder;

import dev.streamtune.schemas.ProducerSettings;
import dev.streamtune.schemas.metrics.ServiceMeters;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import io.micrometer.core.instrument.FunctionCounter;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import dev.streamtune.schemas.topics.TopicDeclaration;
import dev.streamtune.schemas.topics.TopicProvisioner;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The featurizer as a process: opens the backbone, creates {@code features.<backbone>} if it is
 * missing, runs the {@link Featurizer} loop on the calling thread and logs a status line (texts/s,
 * tokens/s, lag and ETA) every status interval. SIGTERM finishes the batch in hand, commits it and
 * exits; a SIGKILL loses nothing either, because a restart with the same transactional id aborts
 * the open transaction and resumes from the last committed offsets.
 *
 * <p>The consumer uses static membership ({@code group.instance.id} = transactional id), so a
 * restarted instance takes its partitions back at once instead of waiting out its predecessor's
 * session.
 */
public final class FeaturizerService implements AutoCloseable {
    /** How long {@link #close} waits for a running loop to finish its batch before it frees the encoder. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(60);
    private final AtomicBoolean running = new AtomicBoolean();
    private final CountDownLatch runEnded = new CountDownLatch(1);
    private static final Logger log = LoggerFactory.getLogger(FeaturizerService.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final FeaturizerServiceConfig config;
    private final Admin admin;
    private final SentenceEmbedder encoder;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Featurizer featurizer;
    private final ScheduledExecutorService status;
    private final ServiceMeters meters = new ServiceMeters();
    private final long startedAtNanos = System.nanoTime();
    private long lastTexts;
    private long lastTokens;
    private long lastStatusNanos = startedAtNanos;

    public FeaturizerService(FeaturizerServiceConfig config) {
        this.config = config;
        this.admin = Admin.create(config.kafkaClient().with(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.bootstrapServers())));
        SentenceEmbedder openedEncoder = null;
        KafkaConsumer<String, byte[]> openedConsumer = null;
        KafkaProducer<String, byte[]> openedProducer = null;
        try {
            openedEncoder = SentenceEmbedder.open(config.embedderConfig());
            String featuresTopic = config.topics().features(openedEncoder.backboneId());
            ensureTopic(featuresTopic, config.featuresPartitions());
            openedConsumer = new KafkaConsumer<>(consumerProperties(config), new StringDeserializer(), new ByteArrayDeserializer());
            openedProducer = new KafkaProducer<>(producerProperties(config), new StringSerializer(), new ByteArraySerializer());
            SchemaRegistryClient registry = SchemaRegistryClients.create(config.featurizerConfig().serde());
            this.featurizer = new Featurizer(config.featurizerConfig(), openedEncoder, registry, openedConsumer, openedProducer);
        } catch (RuntimeException e) {
            closeQuietly(openedProducer);
            closeQuietly(openedConsumer);
            closeQuietly(openedEncoder);
            admin.close();
            throw e;
        }
        this.encoder = openedEncoder;
        this.consumer = openedConsumer;
        this.producer = openedProducer;
        this.status = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "featurizer-status");
            t.setDaemon(true);
            return t;
        });
        FunctionCounter.builder("streamtune.featurizer.examples", featurizer, Featurizer::textsEncoded)
                .description("Examples the featurizer embedded and wrote to the features topic").register(meters.registry());
        FunctionCounter.builder("streamtune.featurizer.tokens", featurizer, Featurizer::tokensEncoded)
                .description("Tokens the featurizer ran through the backbone").register(meters.registry());
        FunctionCounter.builder("streamtune.featurizer.dead.letters", featurizer, Featurizer::rejected)
                .description("Records the featurizer sent to the dead-letter topic").register(meters.registry());
        meters.addKafkaClient(consumer).addKafkaClient(producer).addKafkaClient(admin);
    }

    private boolean awaitRunEnded() {
        try {
            return runEnded.await(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs the loop on this thread until {@link #stop()} or a fatal error; returns an exit code. */
    public int run() {
        log.info("featurizer: {} -> {} as group {} / transactional id {}, batch {} x {} a transaction, max wait {} ms, max {} tokens, {} threads",
                config.topics().splits(), featurizer.featuresTopic(), config.groupId(), config.transactionalId(),
                config.batchSize(), config.batchesPerTransaction(), config.maxWait().toMillis(), config.maxTokens(), config.threads());
        long intervalMs = config.statusInterval().toMillis();
        status.scheduleAtFixedRate(this::logStatus, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        running.set(true);
        try {
            featurizer.run();
            log.info("featurizer: stopped after {} texts, {} tokens, {} dead letters", featurizer.textsEncoded(),
                    featurizer.tokensEncoded(), featurizer.rejected());
            return 0;
        } catch (RuntimeException e) {
            log.error("featurizer: stopped by {}", e.toString(), e);
            return 1;
        } finally {
            status.shutdownNow();
            runEnded.countDown();
        }
    }

    /** Asks the loop to commit the batch in hand and return. */
    public void stop() {
        featurizer.stop();
    }

    public Featurizer featurizer() {
        return featurizer;
    }

    /** The featurizer's counters and its Kafka clients' metrics, to bind where /metrics is served. */
    public ServiceMeters meters() {
        return meters;
    }

    private void logStatus() {
        try {
            long now = System.nanoTime();
            long texts = featurizer.textsEncoded();
            long tokens = featurizer.tokensEncoded();
            double seconds = Math.max(1e-9, (now - lastStatusNanos) / 1e9);
            double textsPerS = (texts - lastTexts) / seconds;
            double tokensPerS = (tokens - lastTokens) / seconds;
            double overallPerS = texts / Math.max(1e-9, (now - startedAtNanos) / 1e9);
            lastTexts = texts;
            lastTokens = tokens;
            lastStatusNanos = now;
            long lag = lag();
            String eta = lag < 0 ? "unknown" : lag == 0 ? "caught up"
                    : overallPerS <= 0 ? "unknown (no progress yet)" : String.format(Locale.ROOT, "%.0f s", lag / overallPerS);
            log.info(String.format(Locale.ROOT, "featurizer: %d texts, %.1f texts/s, %.0f tokens/s, %d dead letters, lag %s, ETA %s",
                    texts, textsPerS, tokensPerS, featurizer.rejected(), lag < 0 ? "unknown" : Long.toString(lag), eta));
        } catch (RuntimeException e) {
            log.warn("featurizer: status line failed: {}", e.toString());
        }
    }

    /** Committed-to-end distance over the split topics' partitions, or -1 when it cannot be read now. */
    private long lag() {
        try {
            List<String> splits = config.topics().splits();
            Map<String, TopicDescription> described = admin.describeTopics(splits).allTopicNames()
                    .get(5, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            described.values().forEach(d -> d.partitions().forEach(
                    p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(5, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(config.groupId())
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            long lag = 0;
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                lag += Math.max(0, e.getValue() - (c == null ? 0 : c.offset()));
            }
            return lag;
        } catch (ExecutionException | TimeoutException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Creates the features topic, as the one declaration has it, if absent. */
    private void ensureTopic(String topic, int partitions) {
        TopicDeclaration declared = new TopicDeclaration(config.topics(), partitions);
        List<String> created = TopicProvisioner.create(admin, List.of(declared.spec(topic)), ADMIN_TIMEOUT);
        if (!created.isEmpty()) {
            log.info("featurizer: created {} with {} partitions", topic, partitions);
        }
    }

    static Map<String, Object> consumerProperties(FeaturizerServiceConfig config) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        config.kafkaClient().applyTo(props);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.transactionalId());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // ingest writes the splits transactionally
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // offsets commit inside our transactions
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(config.featurizerConfig().transactionSize(), 100));
        // a batch on a slow CPU may take long; stay in the group while the backbone runs
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 600_000);
        return props;
    }

    static Map<String, Object> producerProperties(FeaturizerServiceConfig config) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        config.kafkaClient().applyTo(props);
        props = ProducerSettings.transactional(props, config.transactionalId());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"); // 384 floats a record compress well
        return props;
    }

    @Override
    public void close() {
        stop();
        status.shutdownNow();
        meters.close();
        // the encoder's native session must outlive a batch still running on the loop's thread: freeing it
        // under OrtSession.run crashed the JVM (SIGSEGV in onnxruntime) when a pipeline closed mid-batch
        boolean loopEnded = !running.get() || awaitRunEnded();
        closeQuietly(consumer);
        closeQuietly(producer);
        if (loopEnded) {
            closeQuietly(encoder);
        } else {
            log.warn("featurizer: the loop is still encoding {} s after stop; its encoder is left open for the JVM to reclaim",
                    CLOSE_WAIT.toSeconds());
        }
        admin.close(Duration.ofSeconds(5));
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log.warn("featurizer: closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
        }
    }
}
