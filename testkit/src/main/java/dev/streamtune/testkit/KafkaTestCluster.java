package dev.streamtune.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import dev.streamtune.broker.BrokerConfig;
import dev.streamtune.broker.EmbeddedKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The Kafka cluster an integration test runs against: Testcontainers' Kafka (the {@code apache/kafka}
 * image, KRaft) when a Docker engine is reachable, else the in-process {@link EmbeddedKafkaBroker}.
 * The same scenarios therefore run on both; {@link #kind()} and a log line say which one ran.
 *
 * <p>The choice can be forced with the system property {@value #KIND_PROPERTY} ({@code embedded} or
 * {@code testcontainers}). Docker detection runs under a time limit, so a missing or wedged engine
 * means the embedded broker, never a hung build.
 *
 * <p>Most test classes share one cluster per JVM through {@link #shared()}; tests that stop and
 * restart a broker, or need isolation, {@link #start()} their own and close it.
 */
public final class KafkaTestCluster implements AutoCloseable {

    /** Which implementation serves the cluster. */
    public enum Kind { EMBEDDED, TESTCONTAINERS }

    public static final String KIND_PROPERTY = "streamtune.kafka";
    /** The image of Testcontainers' Kafka; its version matches the broker library. */
    public static final String KAFKA_IMAGE = "apache/kafka:4.1.1";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTestCluster.class);
    private static final Duration DOCKER_PROBE_LIMIT = Duration.ofSeconds(20);
    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(30);
    private static final Object SHARED_LOCK = new Object();
    private static KafkaTestCluster shared;

    private final Kind kind;
    private final String bootstrapServers;
    private final AutoCloseable backing;

    private KafkaTestCluster(Kind kind, String bootstrapServers, AutoCloseable backing) {
        this.kind = kind;
        this.bootstrapServers = bootstrapServers;
        this.backing = backing;
    }

    /** Starts a new cluster that the caller closes. */
    public static KafkaTestCluster start() {
        Kind kind = chooseKind();
        long startedAt = System.nanoTime();
        KafkaTestCluster cluster = kind == Kind.TESTCONTAINERS ? startContainer() : startEmbedded();
        LOG.info("Kafka test cluster: {} at {} (started in {} ms)", cluster.kind, cluster.bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
        return cluster;
    }

    /**
     * One cluster for the whole JVM, started on first use and stopped by a shutdown hook. Closing it
     * is a no-op, so test classes may use it in try-with-resources without stopping it for others.
     */
    public static KafkaTestCluster shared() {
        synchronized (SHARED_LOCK) {
            if (shared == null) {
                KafkaTestCluster cluster = start();
                Runtime.getRuntime().addShutdownHook(new Thread(cluster::stop, "kafka-test-cluster-stop"));
                shared = new KafkaTestCluster(cluster.kind, cluster.bootstrapServers, () -> { });
            }
            return shared;
        }
    }

    public Kind kind() {
        return kind;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Admin client settings; add to them for other clients. */
    public Map<String, Object> clientProperties() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }

    public Admin admin() {
        return Admin.create(clientProperties());
    }

    /** Creates each topic with the given partitions and one replica; an existing topic is left as it is. */
    public void createTopics(int partitions, String... topics) {
        createTopics(partitions, Map.of(), topics);
    }

    /** As {@link #createTopics(int, String...)} with topic configs such as {@code cleanup.policy=compact}. */
    public void createTopics(int partitions, Map<String, String> topicConfig, String... topics) {
        List<NewTopic> newTopics = new ArrayList<>();
        for (String topic : topics) {
            newTopics.add(new NewTopic(topic, partitions, (short) 1).configs(topicConfig));
        }
        try (Admin admin = admin()) {
            admin.createTopics(newTopics).values().forEach((topic, future) -> {
                try {
                    future.get(OPERATION_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + topic + ": " + e.getCause(), e);
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException("Creating topic " + topic + " took over " + OPERATION_TIMEOUT, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while creating topic " + topic, e);
                }
            });
        }
    }

    /**
     * A producer with {@code acks=all}, idempotence and one request in flight, the settings of the
     * services' example producers (schemas' {@code ProducerSettings}, which this module cannot depend on;
     * it says why one in flight: KAFKA-14359); {@code extra} settings win.
     */
    public <K, V> KafkaProducer<K, V> producer(Serializer<K> keySerializer, Serializer<V> valueSerializer,
            Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.putAll(extra);
        return new KafkaProducer<>(props, keySerializer, valueSerializer);
    }

    public KafkaProducer<byte[], byte[]> bytesProducer() {
        return producer(new ByteArraySerializer(), new ByteArraySerializer(), Map.of());
    }

    /** A consumer without a group that reads from the earliest offset; {@code extra} settings win. */
    public <K, V> KafkaConsumer<K, V> consumer(Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer,
            Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(clientProperties());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putAll(extra);
        return new KafkaConsumer<>(props, keyDeserializer, valueDeserializer);
    }

    /**
     * Every committed record of {@code topic}, from the beginning up to the end offsets seen when
     * the call starts (read_committed, so the end is the last stable offset), in partition then
     * offset order. Fails rather than hangs when the end is not reached within 30 seconds.
     */
    public <K, V> List<ConsumerRecord<K, V>> readAll(String topic, Deserializer<K> keyDeserializer,
            Deserializer<V> valueDeserializer) {
        try (KafkaConsumer<K, V> consumer = consumer(keyDeserializer, valueDeserializer, Map.of())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, OPERATION_TIMEOUT).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
                    .toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("Topic " + topic + " does not exist");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, OPERATION_TIMEOUT);
            Map<TopicPartition, List<ConsumerRecord<K, V>>> byPartition = new HashMap<>();
            for (ConsumerRecord<K, V> record : pollToEnd(consumer, end, OPERATION_TIMEOUT,
                    "reading " + topic + " to its end offsets " + end)) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (record.offset() < end.get(partition)) {
                    byPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(record);
                }
            }
            List<ConsumerRecord<K, V>> records = new ArrayList<>();
            partitions.forEach(p -> records.addAll(byPartition.getOrDefault(p, List.of())));
            return records;
        }
    }

    /**
     * Polls {@code consumer}, already assigned and positioned, until its position on each partition of
     * {@code end} has reached that partition's offset there, and returns every record polled meanwhile,
     * in poll order. Fails with {@code what} in the message when that takes over {@code limit}.
     */
    public static <K, V> List<ConsumerRecord<K, V>> pollToEnd(KafkaConsumer<K, V> consumer,
            Map<TopicPartition, Long> end, Duration limit, String what) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        // the consumer is not thread-safe: poll it on this thread
        Awaitility.await(what).atMost(limit)
                .pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ZERO).until(() -> {
                    if (end.entrySet().stream().allMatch(e -> consumer.position(e.getKey(), limit) >= e.getValue())) {
                        return true;
                    }
                    consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                    return false;
                });
        return records;
    }

    public List<ConsumerRecord<byte[], byte[]>> readAllBytes(String topic) {
        return readAll(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Names of the topics that exist now, internal ones excluded. */
    public Set<String> topics() {
        try (Admin admin = admin()) {
            return admin.listTopics().names().get(OPERATION_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot list topics: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while listing topics", e);
        }
    }

    /** Deletes the topics, waiting for the deletion to be accepted. */
    public void deleteTopics(Collection<String> topics) {
        try (Admin admin = admin()) {
            admin.deleteTopics(topics).all().get(OPERATION_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot delete topics " + topics + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while deleting topics", e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void stop() {
        try {
            backing.close();
        } catch (Exception e) {
            LOG.warn("Kafka test cluster ({}) did not stop cleanly: {}", kind, e.toString());
        }
    }

    static Kind chooseKind() {
        return chooseKind(KafkaTestCluster::probeDocker, DOCKER_PROBE_LIMIT);
    }

    /** The kind: forced by {@value #KIND_PROPERTY}, else Testcontainers when {@code dockerProbe} says yes within {@code limit}. */
    static Kind chooseKind(Supplier<Boolean> dockerProbe, Duration limit) {
        String forced = System.getProperty(KIND_PROPERTY, "").trim();
        if (!forced.isEmpty()) {
            try {
                Kind kind = Kind.valueOf(forced.toUpperCase(Locale.ROOT));
                LOG.info("Kafka test cluster kind forced by -D{}={}", KIND_PROPERTY, forced);
                return kind;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("-D" + KIND_PROPERTY + " must be embedded or testcontainers, was "
                        + forced, e);
            }
        }
        return dockerAvailable(dockerProbe, limit) ? Kind.TESTCONTAINERS : Kind.EMBEDDED;
    }

    /** Asks Testcontainers whether a Docker engine answers, giving up after {@link #DOCKER_PROBE_LIMIT}. */
    static boolean dockerAvailable() {
        return dockerAvailable(KafkaTestCluster::probeDocker, DOCKER_PROBE_LIMIT);
    }

    private static boolean probeDocker() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /** Runs {@code probe} on a daemon thread: an exception, a {@code false} or no answer within {@code limit} mean no Docker. */
    static boolean dockerAvailable(Supplier<Boolean> probe, Duration limit) {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        Thread prober = new Thread(() -> {
            try {
                answer.complete(Boolean.TRUE.equals(probe.get()));
            } catch (RuntimeException | LinkageError e) {
                LOG.info("Docker probe failed: {}", e.toString());
                answer.complete(false);
            }
        }, "docker-probe");
        prober.setDaemon(true);
        prober.start();
        try {
            boolean available = answer.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (!available) {
                LOG.info("No Docker engine found; integration tests use the embedded Kafka broker");
            }
            return available;
        } catch (TimeoutException e) {
            LOG.warn("Docker probe gave no answer within {}; using the embedded Kafka broker", limit);
            return false;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static KafkaTestCluster startEmbedded() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.defaults());
        return new KafkaTestCluster(Kind.EMBEDDED, broker.bootstrapServers(), broker);
    }

    private static KafkaTestCluster startContainer() {
        KafkaContainer container = new KafkaContainer(KAFKA_IMAGE)
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .withStartupTimeout(Duration.ofMinutes(2));
        container.start();
        return new KafkaTestCluster(Kind.TESTCONTAINERS, container.getBootstrapServers(), container::stop);
    }
}
