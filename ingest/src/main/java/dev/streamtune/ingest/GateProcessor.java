package dev.streamtune.ingest;

import dev.streamtune.avro.TaskSpec;
import dev.streamtune.schemas.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Decodes and validates each raw record. Exactly one of these comes out per record: the valid
 * example (keyed by task and id), or the original bytes with dead-letter headers. A valid example
 * of an unknown or open task may in addition emit a label proposal for the task registry.
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
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("unknown");
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
            // the registry, not this (example-keyed) processor, owns the task: it serializes
            // concurrent proposals for one task so that no label is lost between instances
            context.forward(new Record<>(accepted.example().getTask(),
                    (GateOutcome) new GateOutcome.LabelProposal(accepted.labelProposal()),
                    record.timestamp(), new RecordHeaders()));
        }
        Headers headers = new RecordHeaders(record.headers().toArray());
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
        Headers headers = new RecordHeaders(record.headers().toArray());
        RecordMetadata where = context.recordMetadata().orElse(null);
        put(headers, DeadLetterHeaders.REASON, reason.name());
        put(headers, DeadLetterHeaders.MESSAGE, message);
        put(headers, DeadLetterHeaders.SOURCE_TOPIC, where == null ? "unknown" : where.topic());
        put(headers, DeadLetterHeaders.SOURCE_PARTITION, where == null ? "-1" : Integer.toString(where.partition()));
        put(headers, DeadLetterHeaders.SOURCE_OFFSET, where == null ? "-1" : Long.toString(where.offset()));
        put(headers, DeadLetterHeaders.SERVICE, serviceName);
        metrics.recordRejected(reason);
        context.forward(new Record<>((String) null,
                (GateOutcome) new GateOutcome.DeadLetter(record.key(), record.value()), record.timestamp(), headers));
    }

    /** Replaces rather than appends, so a record replayed from the DLQ carries one current reason. */
    private static void put(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
