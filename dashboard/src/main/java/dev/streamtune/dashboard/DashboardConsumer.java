package dev.streamtune.dashboard;

import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the metrics, model-update and dead-letter topics from the beginning on its own thread and
 * folds every record into the {@link DashboardState}.
 *
 * <p>It assigns partitions itself instead of joining a group: every dashboard instance must see
 * everything, and a dashboard must not show up (with lag) among the groups it watches. Topics that
 * do not exist yet, or gain partitions, are picked up by re-reading the partition lists every few
 * seconds. {@code read_committed} hides the records of aborted transactions.
 */
final class DashboardConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardConsumer.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration PARTITION_REFRESH = Duration.ofSeconds(2);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    private final DashboardConfig config;
    private final DashboardState state;
    private final Consumer<byte[], byte[]> consumer;
    private final DashboardRecords records;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closing;

    DashboardConsumer(DashboardConfig config, DashboardState state, SchemaRegistryClient registry) {
        this.config = config;
        this.state = state;
        this.records = new DashboardRecords(config.topics(), state, registry, AvroSerdeConfig.of(config.registryUrl()));
        this.consumer = new KafkaConsumer<>(config.kafkaClient().with(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.CLIENT_ID_CONFIG, "streamtune-dashboard-" + ProcessHandle.current().pid(),
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false)),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "dashboard-consumer");
        this.thread.setDaemon(true);
    }

    /** The Kafka consumer, for Micrometer's client metrics on the dashboard's /metrics. */
    org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> kafkaClient() {
        return consumer;
    }

    void start() {
        thread.start();
    }

    private List<String> topics() {
        return records.topics();
    }

    private void run() {
        state.consumerRunning(true, null);
        LOG.info("dashboard consumer reading {} from the beginning", topics());
        Set<TopicPartition> assigned = new HashSet<>();
        long nextRefresh = 0;
        Progress progress = new Progress();
        try {
            while (!closing) {
                if (System.nanoTime() >= nextRefresh) {
                    assigned = refreshAssignment(assigned);
                    nextRefresh = System.nanoTime() + PARTITION_REFRESH.toNanos();
                }
                if (assigned.isEmpty()) {
                    // nothing to read yet; poll() without an assignment would throw
                    TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
                    continue;
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    fold(record);
                }
                progress.report(records.count(), assigned);
            }
        } catch (WakeupException | InterruptedException e) {
            if (!closing) {
                state.consumerRunning(false, "interrupted: " + e);
            }
        } catch (RuntimeException e) {
            LOG.error("dashboard consumer stopped", e);
            state.consumerRunning(false, e.toString());
        } finally {
            state.consumerRunning(false, null);
            try {
                consumer.close(Duration.ofSeconds(2));
            } finally {
                stopped.countDown();
            }
        }
    }

    /** Assigns any partition that appeared since the last look, reading it from its first offset. */
    private Set<TopicPartition> refreshAssignment(Set<TopicPartition> assigned) {
        Set<TopicPartition> current = new HashSet<>();
        try {
            for (String topic : topics()) {
                List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (partitions != null) {
                    partitions.forEach(p -> current.add(new TopicPartition(p.topic(), p.partition())));
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            // the broker is not reachable yet: keep what we read and look again at the next refresh
            LOG.warn("cannot list partitions of {} yet: {}", topics(), e.getMessage());
            return assigned;
        }
        if (current.equals(assigned) || !current.containsAll(assigned)) {
            // unchanged, or a transient metadata gap: keep reading what we have
            return assigned;
        }
        List<TopicPartition> added = new ArrayList<>(current);
        added.removeAll(assigned);
        consumer.assign(current);
        consumer.seekToBeginning(added);
        LOG.info("dashboard consumer now reads {} partitions (new: {})", current.size(), added);
        return current;
    }

    private void fold(ConsumerRecord<byte[], byte[]> record) {
        records.fold(record.topic(), record.partition(), record.offset(), record.value(), record.headers());
    }

    /**
     * A status line every few seconds while the dashboard catches up (a replay of a long run's
     * topics from the beginning): records read, rate, what is left and when it should be done.
     */
    private final class Progress {
        private long read;
        private long readAtLastLine;
        private long lastLineNanos = System.nanoTime();

        void report(int newlyRead, Set<TopicPartition> assigned) {
            read += newlyRead;
            long now = System.nanoTime();
            if (now - lastLineNanos < PROGRESS_EVERY.toNanos() || read == readAtLastLine) {
                return;
            }
            long behind = 0;
            for (Map.Entry<TopicPartition, Long> end : consumer.endOffsets(assigned, Duration.ofSeconds(5)).entrySet()) {
                behind += Math.max(0, end.getValue() - consumer.position(end.getKey(), Duration.ofSeconds(5)));
            }
            double seconds = (now - lastLineNanos) / 1e9;
            double rate = (read - readAtLastLine) / seconds;
            if (behind > 0) {
                LOG.info("dashboard catching up: {} records read, {} records/s, {} behind, about {} s to go",
                        read, Math.round(rate), behind, rate > 0 ? Math.round(behind / rate) : "?");
            } else {
                LOG.info("dashboard up to date: {} records read ({} records/s over the last {} s)",
                        read, Math.round(rate), Math.round(seconds));
            }
            readAtLastLine = read;
            lastLineNanos = now;
        }
    }

    boolean isRunning() {
        return thread.isAlive() && state.consumerRunning();
    }

    @Override
    public void close() {
        closing = true;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ZERO);
            return;
        }
        consumer.wakeup();
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) {
                LOG.warn("dashboard consumer did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
