package dev.streamtune.ingest;

import static dev.streamtune.ingest.IngestHarness.NOW;
import static dev.streamtune.ingest.IngestHarness.example;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.TaskSpec;
import dev.streamtune.schemas.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
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

    private void withLabelLimit(int maxLabels) {
        ingest.close();
        ingest = new IngestHarness(c -> c.withLimits(c.limits().withLabels(128, maxLabels)));
    }

    @Test
    void anOpenTaskGrowsToItsLabelLimitAndTheExcessIsDeadLettered() {
        withLabelLimit(3);
        for (String label : List.of("a", "b", "c", "d", "e")) {
            ingest.send(example("x-" + label).setTask("topic").setLabel(label).build());
        }
        ingest.send(example("x-a2").setTask("topic").setLabel("a").build());

        assertThat(ingest.drainSplits()).extracting(TestRecord::key).containsExactly("x-a", "x-b", "x-c", "x-a2");
        List<TestRecord<byte[], byte[]>> dead = ingest.dlq.readRecordsToList();
        assertThat(dead).extracting(IngestHarness::reason).containsExactly("TOO_MANY_LABELS", "TOO_MANY_LABELS");
        assertThat(IngestHarness.header(dead.get(0).headers(), DeadLetterHeaders.MESSAGE))
                .contains("label 'd' would be label 4 of open task 'topic'", "maxLabelsPerTask 3");
        assertThat(ingest.tasksOut.readValuesToList()).extracting(TaskSpec::getLabels).containsExactly(
                List.of("a"), List.of("a", "b"), List.of("a", "b", "c"));
        assertThat(taskInStore("topic").getLabels()).containsExactly("a", "b", "c");
        assertThat(ingest.metrics.rejected(RejectReason.TOO_MANY_LABELS)).isEqualTo(2);
        assertThat(ingest.metrics.labelsAdded()).isEqualTo(2);
    }

    @Test
    void theRegistryHoldsTheLimitWhileTheTableLagsBehindIt() {
        // the table every gate reads still shows one label; the registry has already granted the third
        withLabelLimit(3);
        var registry = ingest.driver.<String, TaskSpec>getKeyValueStore(IngestTopology.TASK_REGISTRY_STORE);
        ingest.declare(TaskSpec.newBuilder().setTask("topic").setLabels(List.of("a")).build());
        registry.put("topic", TaskSpec.newBuilder().setTask("topic").setLabels(List.of("a", "b", "c")).build());
        byte[] key = "producer-key".getBytes(StandardCharsets.UTF_8);
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8));
        // a producer cannot pose as the gate: its own request headers are dropped on the way in
        headers.add(LabelRequests.KEY, "forged".getBytes(StandardCharsets.UTF_8));
        headers.add(LabelRequests.SOURCE, "7:7:elsewhere".getBytes(StandardCharsets.UTF_8));
        byte[] value = ingest.encode(example("x-d").setTask("topic").setLabel("d").build());
        ingest.sendBytes(key, value, headers, NOW);

        assertThat(ingest.drainSplits()).isEmpty();
        assertThat(ingest.tasksOut.isEmpty()).as("nothing published past the limit").isTrue();
        TestRecord<byte[], byte[]> dead = ingest.dlq.readRecord();
        assertThat(dead.key()).as("original key").isEqualTo(key);
        assertThat(dead.value()).as("original bytes").isEqualTo(value);
        assertThat(IngestHarness.reason(dead)).isEqualTo("TOO_MANY_LABELS");
        assertThat(IngestHarness.header(dead.headers(), DeadLetterHeaders.MESSAGE)).contains("would be label 4");
        assertThat(IngestHarness.header(dead.headers(), "trace-id")).isEqualTo("t-1");
        assertThat(IngestHarness.header(dead.headers(), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("examples.raw");
        assertThat(IngestHarness.header(dead.headers(), DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(IngestHarness.header(dead.headers(), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
        assertThat(dead.headers().lastHeader(LabelRequests.KEY)).isNull();
        assertThat(dead.headers().lastHeader(LabelRequests.SOURCE)).isNull();
    }

    @Test
    void anAcceptedNewLabelCarriesTheProducersHeadersButNoneOfIngestsOwn() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "t-2".getBytes(StandardCharsets.UTF_8));
        headers.add(LabelRequests.SOURCE, "7:7:elsewhere".getBytes(StandardCharsets.UTF_8));
        ingest.sendBytes(IngestHarness.key("n1"), ingest.encode(example("n1").setTask("fresh").setLabel("x").build()),
                headers, NOW);
        TestRecord<String, dev.streamtune.avro.LabelledExample> out = ingest.drainSplits().get(0);
        assertThat(out.key()).isEqualTo("n1");
        assertThat(IngestHarness.header(out.headers(), "trace-id")).isEqualTo("t-2");
        assertThat(out.headers().lastHeader(LabelRequests.SOURCE)).isNull();
        assertThat(out.headers().lastHeader(LabelRequests.KEY)).isNull();
    }

    @Test
    void aDeclaredOpenTaskOverTheLimitKeepsItsLabelsButGetsNoMore() {
        withLabelLimit(2);
        ingest.declare(TaskSpec.newBuilder().setTask("topic").setLabels(List.of("a", "b", "c")).build());
        ingest.send(example("y-c").setTask("topic").setLabel("c").build());
        ingest.send(example("y-d").setTask("topic").setLabel("d").build());
        assertThat(ingest.drainSplits()).extracting(TestRecord::key).containsExactly("y-c");
        assertThat(ingest.dlq.readRecordsToList()).extracting(IngestHarness::reason).containsExactly("TOO_MANY_LABELS");
        assertThat(ingest.tasksOut.isEmpty()).isTrue();
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
