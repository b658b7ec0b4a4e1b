package dev.streamtune.ingest;

import static org.awaitility.Awaitility.await;

import dev.streamtune.registry.RegistryConfig;
import dev.streamtune.registry.RegistryServer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.testkit.KafkaTestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka cluster (Testcontainers or the embedded KRaft broker, whichever {@link KafkaTestCluster}
 * picks) with our real schema registry serving HTTP on an ephemeral port and storing schemas in
 * the cluster's {@code _schemas} topic: the integration tests' view of production.
 */
public final class BrokerAndRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerAndRegistry.class);

    private final KafkaTestCluster cluster;
    private final RegistryServer registry;

    private BrokerAndRegistry(KafkaTestCluster cluster, RegistryServer registry) {
        this.cluster = cluster;
        this.registry = registry;
    }

    public static BrokerAndRegistry start() {
        KafkaTestCluster cluster = KafkaTestCluster.start();
        try {
            RegistryServer registry = RegistryServer.startWithKafka(RegistryConfig.of(0, cluster.bootstrapServers()));
            log.info("integration test on a {} Kafka cluster at {}, schema registry at {}", cluster.kind(),
                    cluster.bootstrapServers(), registry.url());
            return new BrokerAndRegistry(cluster, registry);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public KafkaTestCluster cluster() {
        return cluster;
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url();
    }

    public AvroSerdeConfig serde() {
        return AvroSerdeConfig.of(registryUrl());
    }

    /**
     * Reads {@code topics} (read_committed, from the beginning) until {@code done} holds for what
     * was read, then keeps reading for {@code settle} to catch anything that would come twice.
     * Fails when {@code done} does not hold within {@code limit}.
     */
    public List<ConsumerRecord<byte[], byte[]>> readUntil(List<String> topics, Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
                                                          Duration limit, Duration settle, Runnable progress) {
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        readEach(topics, read::add, () -> done.test(read), limit, settle, progress);
        return read;
    }

    /**
     * As {@link #readUntil}, handing each record to {@code sink} instead of keeping them all, for
     * more records than a test should hold; {@code done} asks the sink's own tally.
     *
     * @return how many records were read
     */
    public long readEach(List<String> topics, Consumer<ConsumerRecord<byte[], byte[]>> sink, BooleanSupplier done,
                         Duration limit, Duration settle, Runnable progress) {
        long[] read = {0};
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                Map.of("group.id", "it-reader-" + System.nanoTime()))) {
            consumer.subscribe(topics);
            long[] nextProgress = {System.nanoTime()};
            try {
                // the consumer is not thread-safe: poll it on this thread
                await("reading " + topics + " until done").atMost(limit)
                        .pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ZERO).until(() -> {
                            if (done.getAsBoolean()) {
                                return true;
                            }
                            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                                sink.accept(record);
                                read[0]++;
                            }
                            if (progress != null && System.nanoTime() > nextProgress[0]) {
                                progress.run();
                                nextProgress[0] = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                            }
                            return false;
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("after " + limit + " only " + read[0] + " records on " + topics, e);
            }
            // then a fixed time of reading, not a wait for a condition: a record that comes twice is caught
            long settleUntil = System.nanoTime() + settle.toNanos();
            while (System.nanoTime() < settleUntil) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    sink.accept(record);
                    read[0]++;
                }
            }
        }
        return read[0];
    }

    @Override
    public void close() {
        try {
            registry.close();
        } finally {
            cluster.close();
        }
    }
}
