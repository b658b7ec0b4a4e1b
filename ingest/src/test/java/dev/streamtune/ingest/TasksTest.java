package dev.streamtune.ingest;

import static dev.streamtune.ingest.IngestHarness.NOW;
import static dev.streamtune.ingest.IngestHarness.example;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.TaskSpec;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TasksTest {
    private IngestHarness ingest;

    @BeforeEach
    void setUp() {
        ingest = new IngestHarness();
    }

    @AfterEach
    void tearDown() {
        ingest.close();
    }

    private TaskSpec taskInStore(String task) {
        return ingest.driver.<String, TaskSpec>getKeyValueStore(IngestTopology.TASKS_STORE).get(task);
    }

    @Test
    void unknownTaskIsAutoCreatedOpenWithTheExampleLabel() {
        ingest.send(example("s1").setTask("sentiment").setLabel("positive").build());
        assertThat(ingest.drainSplits()).extracting(TestRecord::key).containsExactly("s1");
        List<TestRecord<String, TaskSpec>> published = ingest.tasksOut.readRecordsToList();
        assertThat(published).hasSize(1);
        TaskSpec created = published.get(0).value();
        assertThat(published.get(0).key()).isEqualTo("sentiment");
        assertThat(created.getTask()).isEqualTo("sentiment");
        assertThat(created.getLabels()).containsExactly("positive");
        assertThat(created.getLabelSetClosed()).isFalse();
        assertThat(created.getBackbone()).isEqualTo("all-MiniLM-L6-v2");
        assertThat(created.getTechnique()).isEqualTo("head");
        assertThat(created.getCreatedAt()).isEqualTo(NOW);
        assertThat(ingest.metrics.tasksCreated()).isEqualTo(1);
        // what ingest published is read back into the table every instance uses
        assertThat(taskInStore("sentiment")).isEqualTo(created);
    }

    @Test
    void openTaskGrowsItsLabelSetInArrivalOrder() {
        ingest.declare(TaskSpec.newBuilder().setTask("topic").setLabels(List.of("sports")).setLabelSetClosed(false)
                .setTechnique("lora").setSettings(Map.of("rank", "8")).build());
        ingest.send(example("t1").setTask("topic").setLabel("sports").build());
        ingest.send(example("t2").setTask("topic").setLabel("politics").build());
        ingest.send(example("t3").setTask("topic").setLabel("science").build());
        ingest.send(example("t4").setTask("topic").setLabel("politics").build());

        assertThat(ingest.drainSplits()).hasSize(4);
        List<TaskSpec> published = ingest.tasksOut.readValuesToList();
        assertThat(published).extracting(TaskSpec::getLabels).containsExactly(
                List.of("sports", "politics"), List.of("sports", "politics", "science"));
        assertThat(published).allSatisfy(spec -> {
            assertThat(spec.getTechnique()).as("the declaration is kept").isEqualTo("lora");
            assertThat(spec.getSettings()).containsEntry("rank", "8");
            assertThat(spec.getLabelSetClosed()).isFalse();
        });
        assertThat(taskInStore("topic").getLabels()).containsExactly("sports", "politics", "science");
        assertThat(ingest.metrics.labelsAdded()).isEqualTo(2);
    }

    @Test
    void closedTaskRejectsNewLabelsAndIsNeverChanged() {
        ingest.declare(IngestHarness.closedSpam());
        ingest.send(example("c1").setLabel("spam").build());
        ingest.send(example("c2").setLabel("phishing").build());
        assertThat(ingest.drainSplits()).extracting(TestRecord::key).containsExactly("c1");
        assertThat(ingest.dlq.readRecordsToList()).extracting(IngestHarness::reason).containsExactly("UNKNOWN_LABEL");
        assertThat(ingest.tasksOut.isEmpty()).isTrue();
        assertThat(taskInStore("spam")).isEqualTo(IngestHarness.closedSpam());
    }

    @Test
    void closingAnOpenTaskTakesEffectForLaterExamples() {
        ingest.send(example("o1").setTask("intent").setLabel("buy").build());
        ingest.declare(TaskSpec.newBuilder().setTask("intent").setLabels(List.of("buy", "sell")).setLabelSetClosed(true).build());
        ingest.send(example("o2").setTask("intent").setLabel("sell").build());
        ingest.send(example("o3").setTask("intent").setLabel("hold").build());
        assertThat(ingest.drainSplits()).extracting(TestRecord::key).containsExactlyInAnyOrder("o1", "o2");
        assertThat(ingest.dlq.readRecordsToList()).extracting(IngestHarness::reason).containsExactly("UNKNOWN_LABEL");
    }

    @Test
    void labelsPublishedButNotYetInTheTableAreNotLost() {
        // the registry alone: the global table still shows the old declaration while two new labels arrive
        var registry = ingest.driver.<String, TaskSpec>getKeyValueStore(IngestTopology.TASK_REGISTRY_STORE);
        ingest.declare(TaskSpec.newBuilder().setTask("topic").setLabels(List.of("a")).build());
        registry.put("topic", TaskSpec.newBuilder().setTask("topic").setLabels(List.of("a", "b")).build());
        ingest.send(example("x1").setTask("topic").setLabel("c").build());
        TaskSpec published = ingest.tasksOut.readValue();
        assertThat(published.getLabels()).containsExactly("a", "b", "c");
    }

    @Test
    void aBadDeclarationOnTheTasksTopicIsSkippedAndIngestGoesOn() {
        TestInputTopic<String, byte[]> rawTasks = ingest.driver.createInputTopic(ingest.config.topics().tasks(),
                Serdes.String().serializer(), Serdes.ByteArray().serializer());
        rawTasks.pipeInput("spam", new byte[] {42, 1, 2});
        ingest.declare(IngestHarness.closedSpam());
        ingest.send(example("a1").build());
        assertThat(ingest.metrics.badTaskSpecs()).isEqualTo(1);
        assertThat(taskInStore("spam")).isEqualTo(IngestHarness.closedSpam());
        assertThat(ingest.drainSplits()).hasSize(1);
    }

    @Test
    void aTombstoneRemovesTheTask() {
        ingest.close();
        ingest = new IngestHarness(c -> c.withUnknownTaskPolicy(UnknownTaskPolicy.REJECT));
        ingest.declare(IngestHarness.closedSpam());
        ingest.tasksIn.pipeInput("spam", null);
        ingest.send(example("a1").build());
        assertThat(ingest.dlq.readRecordsToList()).extracting(IngestHarness::reason).containsExactly("UNKNOWN_TASK");
    }
}
