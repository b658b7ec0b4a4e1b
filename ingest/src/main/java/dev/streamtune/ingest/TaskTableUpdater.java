package dev.streamtune.ingest;

import dev.streamtune.avro.TaskSpec;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the global task table in step with the compacted tasks topic. It reads raw bytes and
 * decodes them itself, so that one bad declaration (written by some other tool) is logged and
 * skipped instead of stopping every stream thread: a global store has no dead-letter path.
 */
final class TaskTableUpdater implements Processor<String, byte[], Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(TaskTableUpdater.class);

    private final Deserializer<TaskSpec> deserializer;
    private final IngestMetrics metrics;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, TaskSpec> tasks;

    TaskTableUpdater(Deserializer<TaskSpec> deserializer, IngestMetrics metrics) {
        this.deserializer = deserializer;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.tasks = context.getStateStore(IngestTopology.TASKS_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            skip(record, "it has no key (the task name)");
            return;
        }
        if (record.value() == null) {
            tasks.delete(record.key());
            return;
        }
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("tasks");
        TaskSpec spec;
        try {
            spec = deserializer.deserialize(topic, record.value());
        } catch (SerializationException e) {
            if (RegistryFailures.isTransient(e)) {
                throw e; // the registry is unreachable: skipping would lose a good declaration
            }
            skip(record, e.getMessage());
            return;
        }
        if (!record.key().equals(spec.getTask())) {
            skip(record, "its key '" + record.key() + "' differs from its task field '" + spec.getTask() + "'");
            return;
        }
        tasks.put(record.key(), spec);
    }

    private void skip(Record<String, byte[]> record, String why) {
        metrics.recordBadTaskSpec();
        LOG.error("Ignoring the task declaration at {}: {}", context.recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?"), why);
    }
}
