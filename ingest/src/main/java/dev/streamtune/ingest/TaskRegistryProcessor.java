package dev.streamtune.ingest;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.TaskSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The single writer of ingest's changes to the tasks topic, and the judge of every example that
 * would make one. Label requests (the raw records of such examples) arrive keyed by task, so all
 * requests for one task are handled in order by one instance of this processor; it remembers what
 * it last published, which the (asynchronously updated) global view of the tasks topic may not show
 * yet. Without that, two labels proposed in quick succession would each be appended to the same
 * stale spec and the second publish would erase the first; and the gates, each looking at that
 * stale view, could between them let an open task grow far past its label limit.
 *
 * <p>Each request is validated again, by the same rules as the gate's, against the task as this
 * processor knows it: a valid example goes on to dedupe and the split topics, after the task
 * update it needs; anything else goes to the dead-letter topic with its original key and
 * coordinates. Rules for the task: an unknown task is created open with the example's label; an
 * open task gets the label appended while it has fewer than the limit (labels of an open task only
 * grow); a closed task, as the operator declared it, is never changed by ingest.
 */
final class TaskRegistryProcessor implements Processor<String, byte[], String, GateOutcome> {
    private final RawExampleDecoder decoder;
    private final ExampleValidator validator;
    private final IngestMetrics metrics;
    private final String serviceName;
    private ProcessorContext<String, GateOutcome> context;
    private KeyValueStore<String, TaskSpec> declared;
    private KeyValueStore<String, TaskSpec> published;

    TaskRegistryProcessor(RawExampleDecoder decoder, ExampleValidator validator, IngestMetrics metrics,
            String serviceName) {
        this.decoder = decoder;
        this.validator = validator;
        this.metrics = metrics;
        this.serviceName = serviceName;
    }

    @Override
    public void init(ProcessorContext<String, GateOutcome> context) {
        this.context = context;
        this.declared = context.getStateStore(IngestTopology.TASKS_STORE);
        this.published = context.getStateStore(IngestTopology.TASK_REGISTRY_STORE);
    }

    @Override
    public void process(Record<String, byte[]> request) {
        LabelRequests.Origin origin = LabelRequests.origin(request.headers());
        RawExampleDecoder.Decoded decoded = decoder.decode(origin.topic(), request.value());
        if (decoded instanceof RawExampleDecoder.Undecodable bad) {
            // it decoded at the gate; only a schema removed from the registry since then gets here
            deadLetter(request, origin, bad.reason(), bad.message());
            return;
        }
        LabelledExample example = ((RawExampleDecoder.Example) decoded).example();
        String task = request.key();
        TaskSpec current = current(task);
        ExampleValidator.Verdict verdict = validator.validate(example, current, request.timestamp(),
                context.currentSystemTimeMs());
        if (verdict instanceof ExampleValidator.Rejected rejected) {
            deadLetter(request, origin, rejected.reason(), rejected.message());
            return;
        }
        ExampleValidator.Accepted accepted = (ExampleValidator.Accepted) verdict;
        if (accepted.labelProposal() != null) {
            TaskSpec next = grown(current, accepted.labelProposal());
            published.put(task, next);
            context.forward(new Record<>(task, (GateOutcome) new GateOutcome.TaskUpdate(next), request.timestamp(),
                    new RecordHeaders()));
        }
        Headers headers = LabelRequests.stripped(request.headers());
        headers.remove(IngestHeaders.CORRECTION);
        context.forward(new Record<>(GateProcessor.dedupeKey(task, accepted.example().getId()),
                (GateOutcome) new GateOutcome.Passed(accepted.example()), request.timestamp(), headers));
    }

    /** The task with the proposal's label: the proposal itself for a new task, else the label appended. */
    private TaskSpec grown(TaskSpec current, TaskSpec proposal) {
        if (current == null) {
            metrics.recordTaskCreated();
            return proposal;
        }
        Set<String> labels = new LinkedHashSet<>(current.getLabels());
        labels.addAll(proposal.getLabels());
        metrics.recordLabelAdded();
        return TaskSpec.newBuilder(current).setLabels(new ArrayList<>(labels)).build();
    }

    private void deadLetter(Record<String, byte[]> request, LabelRequests.Origin origin, RejectReason reason,
            String message) {
        metrics.recordRejected(reason);
        context.forward(new Record<>((String) null, (GateOutcome) new GateOutcome.DeadLetter(origin.key(), request.value()),
                request.timestamp(), DeadLetters.headers(request.headers(), reason, message, origin.topic(),
                        origin.partition(), origin.offset(), serviceName)));
    }

    /**
     * The topic's declaration, with the labels this processor has appended and the global view
     * has not caught up with yet; a closed declaration is taken as is.
     */
    private TaskSpec current(String task) {
        TaskSpec onTopic = declared.get(task);
        TaskSpec ours = published.get(task);
        if (onTopic == null) {
            return ours;
        }
        if (ours == null || onTopic.getLabelSetClosed()) {
            return onTopic;
        }
        // sets, not List.contains: a task may have a thousand labels and every request asks
        Set<String> labels = new LinkedHashSet<>(onTopic.getLabels());
        if (!labels.addAll(ours.getLabels())) {
            return onTopic;
        }
        return TaskSpec.newBuilder(onTopic).setLabels(new ArrayList<>(labels)).build();
    }
}
