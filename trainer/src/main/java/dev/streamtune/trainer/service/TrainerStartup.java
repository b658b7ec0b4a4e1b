package dev.streamtune.trainer.service;

import dev.streamtune.schemas.TopicReader;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.model.peft.SourcePrompts;
import dev.streamtune.schemas.serde.AvroDeserializer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link TrainerService} reads and waits for before it trains: its output topics, the task's
 * latest {@code TaskSpec}, the input topic's partitions, the highest version already published, and
 * ATTEMPT's source prompts. Each wait ends early, returning null, once {@code stopping} is true.
 */
final class TrainerStartup {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
    private static final Duration POLL = Duration.ofMillis(100);
    /** How long a metadata lookup (a topic's partitions) may take. */
    static final Duration METADATA_TIMEOUT = Duration.ofSeconds(10);
    /** How long reading a topic to its end at start may take (task specs, the ledger, prompts): long, a stream's history can be. */
    static final Duration READ_TIMEOUT = Duration.ofMinutes(10);
    private static final int TAIL_WINDOW = 256;

    private final TrainerServiceConfig config;
    private final PoisonRecords poison;
    private final BooleanSupplier stopping;

    TrainerStartup(TrainerServiceConfig config, PoisonRecords poison, BooleanSupplier stopping) {
        this.config = config;
        this.poison = poison;
        this.stopping = stopping;
    }

    /**
     * ATTEMPT's source prompts: polls models.updates until every source task serves a prompt
     * version (null when stopped first). The status line, and {@link #waitingFor()}, name the source it waits for.
     */
    SourcePrompts awaitSourcePrompts(Consumer<byte[], byte[]> consumer, SourcePromptResolver resolver,
            TechniqueTraining technique, Map<String, Long> pinned, java.util.function.Consumer<String> waitingFor) {
        List<String> sources = technique.sourceTasks();
        long nextLog = System.nanoTime();
        while (!stopping.getAsBoolean()) {
            SourcePromptResolver.Resolution resolution = resolver.resolve(consumer, sources, technique.spec(), pinned);
            if (resolution.prompts() != null) {
                waitingFor.accept(null);
                LOG.info("Task '{}' ({}): source prompts {}", config.task(), technique.id(),
                        resolution.prompts().names());
                return resolution.prompts();
            }
            waitingFor.accept(resolution.waitingFor());
            if (System.nanoTime() >= nextLog) {
                LOG.info("trainer[{}/{}]: waiting for source task {}: no promoted prompt version on '{}' yet"
                        + " (sources {})", config.task(), technique.id(), resolution.waitingFor(), config.topics().updates(),
                        sources);
                nextLog = System.nanoTime() + config.statusInterval().toNanos();
            }
            sleep(1_000);
        }
        return null;
    }

    List<TopicPartition> awaitPartitions(Consumer<byte[], byte[]> consumer, String topic) {
        long nextLog = System.nanoTime();
        while (!stopping.getAsBoolean()) {
            List<TopicPartition> partitions = TopicReader.partitionsOf(consumer, topic, METADATA_TIMEOUT);
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

    /**
     * The highest version of this task on models.candidates, read from the end of the partition its
     * key maps to, in growing windows until a version of the task turns up (0 when there is none).
     */
    long highestPublishedVersion(Consumer<byte[], byte[]> consumer, AvroDeserializer<ModelVersion> deserializer) {
        List<TopicPartition> partitions = TopicReader.partitionsOf(consumer, config.topics().candidates(), METADATA_TIMEOUT);
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
                    if (record.offset() < until && record.key() != null && Arrays.equals(record.key(), key)) {
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

    /** Creates the topics the trainer writes where missing, with their declared settings (one home: the declaration). */
    void ensureOutputTopics() {
        dev.streamtune.schemas.topics.TopicProvisioner.create(config.bootstrapServers(), config.kafkaClient(),
                new dev.streamtune.schemas.topics.TopicDeclaration(config.topics(), 1)
                        .specs(List.of(config.topics().candidates(), config.topics().metrics())));
    }

    TaskSpec awaitTaskSpec(Consumer<byte[], byte[]> consumer, AvroDeserializer<TaskSpec> deserializer) {
        long deadline = System.nanoTime() + config.taskSpecTimeout().toNanos();
        long nextLog = System.nanoTime();
        while (!stopping.getAsBoolean()) {
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
    private TaskSpec latestTaskSpec(Consumer<byte[], byte[]> consumer, AvroDeserializer<TaskSpec> deserializer) {
        List<TopicPartition> partitions = TopicReader.partitionsOf(consumer, config.topics().tasks(), METADATA_TIMEOUT);
        if (partitions.isEmpty()) {
            return null;
        }
        byte[] key = config.task().getBytes(StandardCharsets.UTF_8);
        TaskSpec latest = null;
        for (ConsumerRecord<byte[], byte[]> record : TopicReader.readToEnd(consumer, partitions, READ_TIMEOUT)) {
            if (record.key() != null && Arrays.equals(record.key(), key)) {
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

}
