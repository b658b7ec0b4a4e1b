package dev.streamtune.ingest;

import dev.streamtune.avro.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The single writer of ingest's changes to the tasks topic. Label proposals arrive keyed by task,
 * so all proposals for one task are handled in order by one instance of this processor; it
 * remembers what it last published, which the (asynchronously updated) global view of the tasks
 * topic may not show yet. Without that, two labels proposed in quick succession would each be
 * appended to the same stale spec and the second publish would erase the first.
 *
 * <p>Rules: an unknown task is created open with the proposed label; an open task gets the label
 * appended (labels of an open task only grow); a closed task, as the operator declared it, is
 * never changed by ingest.
 */
final class TaskRegistryProcessor implements Processor<String, TaskSpec, String, TaskSpec> {
    private final IngestMetrics metrics;
    private ProcessorContext<String, TaskSpec> context;
    private KeyValueStore<String, TaskSpec> declared;
    private KeyValueStore<String, TaskSpec> published;

    TaskRegistryProcessor(IngestMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, TaskSpec> context) {
        this.context = context;
        this.declared = context.getStateStore(IngestTopology.TASKS_STORE);
        this.published = context.getStateStore(IngestTopology.TASK_REGISTRY_STORE);
    }

    @Override
    public void process(Record<String, TaskSpec> proposal) {
        String task = proposal.key();
        TaskSpec current = current(task);
        TaskSpec next;
        if (current == null) {
            next = proposal.value();
            metrics.recordTaskCreated();
        } else {
            if (current.getLabelSetClosed()) {
                return;
            }
            List<String> labels = new ArrayList<>(current.getLabels());
            boolean grew = false;
            for (String label : proposal.value().getLabels()) {
                if (!labels.contains(label)) {
                    labels.add(label);
                    grew = true;
                }
            }
            if (!grew) {
                return;
            }
            next = TaskSpec.newBuilder(current).setLabels(labels).build();
            metrics.recordLabelAdded();
        }
        published.put(task, next);
        context.forward(new Record<>(task, next, proposal.timestamp(), new RecordHeaders()));
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
        if (ours == null || onTopic.getLabelSetClosed() || onTopic.getLabels().containsAll(ours.getLabels())) {
            return onTopic;
        }
        List<String> labels = new ArrayList<>(onTopic.getLabels());
        for (String label : ours.getLabels()) {
            if (!labels.contains(label)) {
                labels.add(label);
            }
        }
        return TaskSpec.newBuilder(onTopic).setLabels(labels).build();
    }
}
