package dev.streamtune.trainer.service;

import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.schemas.serde.RegistryException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's reading of the topics that anyone with write access shares: {@code tasks},
 * {@code models.candidates} and {@code models.updates}. A record there that does not decode, or
 * decodes to something no Streamtune service writes (a declaration under another task's key, a
 * version number below 1 or past {@link #MAX_VERSION}, a label twice), is skipped: logged once with
 * its coordinates and counted, as ingest skips a bad declaration, so one such record cannot keep a
 * trainer from starting. The last good record keyed by the task still counts. A schema registry
 * that cannot be reached is no fault of the record and is thrown.
 */
final class PoisonRecords {
    private static final Logger LOG = LoggerFactory.getLogger(PoisonRecords.class);

    /**
     * The highest version number a trainer reads or publishes: 2^53, the largest that every JSON
     * reader (the dashboard's JavaScript among them) holds exactly, and more than a version a
     * millisecond would reach in 285,000 years. A forged version near {@code Long.MAX_VALUE} is
     * refused rather than made the base of the next one, which would overflow.
     */
    static final long MAX_VERSION = 1L << 53;

    private final String task;
    private final AtomicLong skipped = new AtomicLong();
    /** Per partition, the offset past the last record counted, so a topic read again counts nothing twice. */
    private final Map<TopicPartition, Long> countedUpTo = new ConcurrentHashMap<>();

    PoisonRecords(String task) {
        this.task = task;
    }

    /** Records skipped so far, each counted once however often its topic is read. */
    long skipped() {
        return skipped.get();
    }

    /** The next version after {@code highest}, refused (not wrapped) past {@link #MAX_VERSION}. */
    static long nextVersion(long highest) {
        if (highest >= MAX_VERSION) {
            throw new IllegalStateException("the next version after " + highest + " would pass the limit of "
                    + MAX_VERSION + " (2^53); a version that high was not published by a trainer");
        }
        return highest + 1;
    }

    /** The record as a declaration of this task, or null when it is none (skipped). */
    TaskSpec taskSpec(ConsumerRecord<byte[], byte[]> record, Deserializer<TaskSpec> deserializer) {
        TaskSpec spec = decode(record, deserializer);
        if (spec == null) {
            return null;
        }
        if (!task.contentEquals(spec.getTask())) {
            return skip(record, "it is keyed by task '" + task + "' but declares task '" + spec.getTask() + "'");
        }
        Set<String> seen = new HashSet<>();
        for (CharSequence label : spec.getLabels()) {
            if (label == null || label.toString().isBlank() || !seen.add(label.toString())) {
                return skip(record, "its labels hold a blank or repeated label ('" + label + "')");
            }
        }
        return spec;
    }

    /** The record as a version of {@code ofTask}, or null when it is none (skipped). */
    ModelVersion version(ConsumerRecord<byte[], byte[]> record, Deserializer<ModelVersion> deserializer, String ofTask) {
        ModelVersion version = decode(record, deserializer);
        return version == null ? null : checked(record, version, ofTask);
    }

    /** The record as an update of {@code ofTask} with a usable version, or null when it is none (skipped). */
    ModelUpdate update(ConsumerRecord<byte[], byte[]> record, Deserializer<ModelUpdate> deserializer, String ofTask) {
        ModelUpdate update = decode(record, deserializer);
        if (update == null) {
            return null;
        }
        return checked(record, update.getModel(), ofTask) == null ? null : update;
    }

    private ModelVersion checked(ConsumerRecord<byte[], byte[]> record, ModelVersion version, String ofTask) {
        if (!ofTask.contentEquals(version.getTask())) {
            return skip(record, "it is keyed by task '" + ofTask + "' but is a version of task '" + version.getTask() + "'");
        }
        if (version.getVersion() < 1 || version.getVersion() > MAX_VERSION) {
            return skip(record, "its version " + version.getVersion() + " is outside [1, " + MAX_VERSION + "]");
        }
        return version;
    }

    /** The decoded value, or null (skipped) when there is none or it does not decode. */
    private <T> T decode(ConsumerRecord<byte[], byte[]> record, Deserializer<T> deserializer) {
        if (record.value() == null) {
            return skip(record, "it has no value");
        }
        try {
            return deserializer.deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            if (RegistryException.isOutage(e)) {
                throw e;
            }
            return skip(record, e.getMessage());
        }
    }

    private <T> T skip(ConsumerRecord<byte[], byte[]> record, String why) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        if (record.offset() >= countedUpTo.getOrDefault(partition, 0L)) {
            countedUpTo.put(partition, record.offset() + 1);
            skipped.incrementAndGet();
            LOG.warn("Trainer for task '{}' skips the record at {}-{}@{}: {}", task, record.topic(), record.partition(),
                    record.offset(), why);
        }
        return null;
    }
}
