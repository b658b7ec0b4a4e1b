package dev.streamtune.ingest;

import dev.streamtune.avro.TaskSpec;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Decodes and validates each raw record. Exactly one of these comes out per record: the valid
 * example (keyed by task and id), the original bytes with dead-letter headers, or, for a valid
 * example that would create its task or grow an open task's label set, a label request keyed by
 * task for the task registry, which has the last word on that (see {@link TaskRegistryProcessor}).
 */
final class GateProcessor implements Processor<byte[], byte[], String, GateOutcome> {
    private final RawExampleDecoder decoder;
    private final ExampleValidator validator;
    private final IngestMetrics metrics;
    private final String serviceName;
    private ProcessorContext<String, GateOutcome> context;
    private KeyValueStore<String, TaskSpec> tasks;

    GateProcessor(RawExampleDecoder decoder, ExampleValidator validator, IngestMetrics metrics, String serviceName) {
        this.decoder = decoder;
        this.validator = validator;
        this.metrics = metrics;
        this.serviceName = serviceName;
    }

    @Override
    public void init(ProcessorContext<String, GateOutcome> context) {
        this.context = context;
        metrics.registerWith(context.metrics());
        this.tasks = context.getStateStore(IngestTopology.TASKS_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata where = context.recordMetadata().orElse(null);
        String topic = where == null ? "unknown" : where.topic();
        RawExampleDecoder.Decoded decoded = decoder.decode(topic, record.value());
        if (decoded instanceof RawExampleDecoder.Undecodable bad) {
            deadLetter(record, bad.reason(), bad.message());
            return;
        }
        var example = ((RawExampleDecoder.Example) decoded).example();
        TaskSpec task = example.getTask() == null ? null : tasks.get(example.getTask());
        ExampleValidator.Verdict verdict = validator.validate(example, task, record.timestamp(),
                context.currentSystemTimeMs());
        if (verdict instanceof ExampleValidator.Rejected rejected) {
            deadLetter(record, rejected.reason(), rejected.message());
            return;
        }
        ExampleValidator.Accepted accepted = (ExampleValidator.Accepted) verdict;
        if (accepted.labelProposal() != null) {
            // this (example-keyed) processor sees the task table as of a moment ago; the registry, keyed
            // by task, sees every label it has granted, so it alone can hold a label set to its limit
            LabelRequests.Origin origin = new LabelRequests.Origin(record.key(), topic,
                    where == null ? -1 : where.partition(), where == null ? -1 : where.offset());
            context.forward(new Record<>(accepted.example().getTask(),
                    (GateOutcome) new GateOutcome.LabelRequest(record.value()), record.timestamp(),
                    LabelRequests.withOrigin(record.headers(), origin)));
            return;
        }
        Headers headers = LabelRequests.stripped(record.headers());
        headers.remove(IngestHeaders.CORRECTION);
        context.forward(new Record<>(dedupeKey(accepted.example().getTask(), accepted.example().getId()),
                (GateOutcome) new GateOutcome.Passed(accepted.example()), record.timestamp(), headers));
    }

    /**
     * The repartition and dedupe key of (task, id). The task's length goes first, so that no
     * choice of characters in either part can make two different pairs share a key.
     */
    static String dedupeKey(String task, String id) {
        return task.length() + ":" + task + ":" + id;
    }

    private void deadLetter(Record<byte[], byte[]> record, RejectReason reason, String message) {
        RecordMetadata where = context.recordMetadata().orElse(null);
        Headers headers = DeadLetters.headers(record.headers(), reason, message,
                where == null ? "unknown" : where.topic(), where == null ? -1 : where.partition(),
                where == null ? -1 : where.offset(), serviceName);
        metrics.recordRejected(reason);
        context.forward(new Record<>((String) null,
                (GateOutcome) new GateOutcome.DeadLetter(record.key(), record.value()), record.timestamp(), headers));
    }
}
