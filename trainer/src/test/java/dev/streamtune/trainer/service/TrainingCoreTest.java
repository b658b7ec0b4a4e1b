package dev.streamtune.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.OffsetRange;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.InMemorySchemaRegistryClient;
import dev.streamtune.schemas.signing.SigningKey;
import dev.streamtune.trainer.TrainerState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's decisions without a broker: Avro bytes in, publications out (head-only on small vectors). */
@Tag("model")
class TrainingCoreTest {
    private static final String TASK = "spam";
    private static final SigningKey KEY = SigningKey.generate();
    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final AvroSerdeConfig serde = AvroSerdeConfig.of("mock://training-core-test");
    private final Backbone backbone = BackboneRegistry.standard().byId(TrainerServiceConfig.DEFAULT_BACKBONE);
    private final AtomicLong clock = new AtomicLong();
    @TempDir
    Path tmp;

    private TrainerServiceConfig config() {
        return TrainerServiceConfig.defaults("unused:9092", serde, TASK, tmp.resolve("checkpoints"))
                .withDevice("cpu").withMicroBatch(4, Duration.ofSeconds(1)).withPublishEvery(8, Duration.ofHours(1));
    }

    private static TaskSpec spec(boolean closed, Map<String, String> settings) {
        return TaskSpec.newBuilder().setTask(TASK).setLabels(List.of("ham", "spam")).setLabelSetClosed(closed)
                .setBackbone(TrainerServiceConfig.DEFAULT_BACKBONE).setTechnique("head")
                .setSettings(new HashMap<>(settings)).build();
    }

    private TrainingCore core(TrainerServiceConfig config, TaskSpec spec) {
        TechniqueTraining technique = TechniqueTraining.of(spec, config, backbone);
        TrainingCore[] holder = new TrainingCore[1];
        TrainingInput input = technique.input(config, new TechniqueTraining.Deserializers() {
            @Override
            public <T> AvroDeserializer<T> of(Class<T> type) {
                return new AvroDeserializer<>(registry, serde, type);
            }
        }, () -> holder[0].trainer());
        holder[0] = new TrainingCore(config, spec, technique, input, KEY, DeltaPlacement.inlineUpTo(1 << 22, null),
                new BaseModel(backbone.id(), "sha"), clock::get);
        return holder[0];
    }

    private String topic(TrainerServiceConfig config) {
        return config.topics().features(config.backboneId());
    }

    private ConsumerRecord<byte[], byte[]> record(String topic, long offset, String task, String label) {
        float[] v = new float[backbone.hiddenSize()];
        v[label.equals("spam") ? 0 : 1] = 1;
        v[2] = offset % 3;
        List<Float> values = new ArrayList<>(v.length);
        for (float f : v) {
            values.add(f);
        }
        FeatureVector vector = FeatureVector.newBuilder().setExampleId("e" + offset).setTask(task).setLabel(label)
                .setSplit(Split.TRAIN).setWeight(1.0).setBackbone(TrainerServiceConfig.DEFAULT_BACKBONE)
                .setBackboneSha256("").setVector(values).setTokens(8).build();
        return new ConsumerRecord<>(topic, 0, offset, task.getBytes(StandardCharsets.UTF_8),
                new AvroSerializer<>(registry, serde, false).serialize(topic, vector));
    }

    @Test
    void publishesAVersionEveryNExamplesWithItsOffsetRangesAndContinuesFromIt() throws Exception {
        TrainerServiceConfig config = config();
        String topic = topic(config);
        TopicPartition partition = new TopicPartition(topic, 0);
        try (TrainingCore core = core(config, spec(false, Map.of()))) {
            core.startFresh(Map.of(partition, 0L));
            for (long offset = 0; offset < 8; offset++) {
                assertThat(core.fullVersion()).isFalse();
                core.handle(record(topic, offset, TASK, offset % 2 == 0 ? "spam" : "ham"));
            }
            assertThat(core.fullVersion()).isTrue();
            assertThat(core.counters(0, 0, 0).steps()).isEqualTo(6); // two micro-batches of 4, each + 2 rehearsal steps

            Publication first = core.publishPoint();
            ModelVersion v1 = first.version();
            assertThat(v1.getVersion()).isEqualTo(1);
            assertThat(v1.getParentVersion()).isNull();
            assertThat(v1.getOffsetRanges()).containsExactly(new OffsetRange(topic, 0, 0L, 8L));
            assertThat(v1.getExamplesSeen()).isEqualTo(8);
            assertThat(v1.getDelta().getInline()).isNotNull();
            assertThat(v1.getHyperparameters()).containsEntry("rehearsal_steps", "2").containsEntry("batch_size", "4");
            assertThat(first.metrics().getKind()).isEqualTo(MetricKind.TRAINING);
            assertThat(first.groupOffsets()).containsEntry(partition, 8L);
            assertThat(first.checkpoint().nextOffsets()).containsEntry(topic + ":0", 8L);
            assertThat(PublishPoint.fromAnnotations(first.checkpoint().annotations())).isEqualTo(first.point());
            core.published(first);

            assertThat(core.due(false)).isFalse(); // nothing unpublished: never an empty version
            core.handle(record(topic, 8, "other-task", "spam"));
            core.handle(record(topic, 9, TASK, "spam"));
            assertThat(core.due(true)).isTrue();
            Publication second = core.publishPoint();
            assertThat(second.version().getVersion()).isEqualTo(2);
            assertThat(second.version().getParentVersion()).isEqualTo(1);
            assertThat(second.version().getOffsetRanges()).containsExactly(new OffsetRange(topic, 0, 8L, 10L));
            assertThat(second.version().getCumulativeOffsetRanges()).containsExactly(new OffsetRange(topic, 0, 0L, 10L));
            assertThat(core.counters(0, 0, 0).recordsSkipped()).isEqualTo(1);
        }
    }

    @Test
    void aRestartRepublishesTheVersionACrashCutOffAndOtherwiseContinuesAfterIt() throws Exception {
        TrainerServiceConfig config = config();
        String topic = topic(config);
        TopicPartition partition = new TopicPartition(topic, 0);
        Publication cutOff;
        try (TrainingCore core = core(config, spec(false, Map.of()))) {
            core.startFresh(Map.of(partition, 0L));
            for (long offset = 0; offset < 5; offset++) {
                core.handle(record(topic, offset, TASK, offset % 2 == 0 ? "spam" : "ham"));
            }
            cutOff = core.publishPoint(); // checkpointed, never published
        }
        TrainerState checkpoint = cutOff.checkpoint();
        try (TrainingCore restarted = core(config, spec(false, Map.of()))) {
            assertThat(restarted.restore(checkpoint, Map.of(partition, 0L))).containsEntry(partition, 5L);
            Optional<Publication> again = restarted.cutOff();
            assertThat(again).isPresent();
            assertThat(again.get().checkpoint()).isNull();
            assertThat(again.get().version().getVersion()).isEqualTo(1);
            assertThat(again.get().version().getOffsetRanges()).isEqualTo(cutOff.version().getOffsetRanges());
            assertThat(again.get().version().getDelta().getSha256()).isEqualTo(cutOff.version().getDelta().getSha256());
            restarted.published(again.get());
            restarted.handle(record(topic, 5, TASK, "ham"));
            Publication next = restarted.publishPoint();
            assertThat(next.version().getVersion()).isEqualTo(2);
            assertThat(next.version().getParentVersion()).isEqualTo(1);
            assertThat(next.version().getOffsetRanges()).containsExactly(new OffsetRange(topic, 0, 5L, 6L));
        }
        try (TrainingCore published = core(config, spec(false, Map.of()))) {
            published.restore(checkpoint, Map.of(partition, 0L));
            published.publishedUpTo(1);
            assertThat(published.cutOff()).isEmpty(); // version 1 is on the topic already
        }
        try (TrainingCore lostItsCheckpoints = core(config, spec(false, Map.of()))) {
            lostItsCheckpoints.startFresh(Map.of(partition, 0L));
            lostItsCheckpoints.publishedUpTo(7);
            lostItsCheckpoints.handle(record(topic, 0, TASK, "ham"));
            Publication fresh = lostItsCheckpoints.publishPoint();
            assertThat(fresh.version().getVersion()).isEqualTo(8); // never a number that is published already
            assertThat(fresh.version().getParentVersion()).isNull();
        }
    }

    @Test
    void skipsWhatItCannotTrainOnAndCountsWhy() throws Exception {
        TrainerServiceConfig config = config();
        String topic = topic(config);
        try (TrainingCore core = core(config, spec(true, Map.of()))) {
            core.startFresh(Map.of(new TopicPartition(topic, 0), 0L));
            core.handle(new ConsumerRecord<>(topic, 0, 0, null, new byte[] {0, 0, 0, 0, 9, 1}));
            core.handle(record(topic, 1, TASK, "eggs"));
            core.handle(record(topic, 2, "other", "spam"));
            assertThat(core.counters(0, 0, 0)).satisfies(c -> {
                assertThat(c.malformed()).isEqualTo(1);
                assertThat(c.unknownLabels()).isEqualTo(1);
                assertThat(c.recordsSkipped()).isEqualTo(1);
                assertThat(c.examplesTrained()).isZero();
            });
            assertThat(core.unpublished()).isZero();
            assertThatThrownBy(() -> core.handle(record(topic, 2, TASK, "spam"))).hasMessageContaining("handled twice");
        }
    }

    @Test
    void aBadSettingNamesItselfAndItsLimit() {
        TrainerServiceConfig config = config();
        assertThatThrownBy(() -> core(config, spec(false, Map.of("rehearsal_steps", "65"))))
                .hasMessageContaining("rehearsal_steps").hasMessageContaining("between 0 and 64");
        assertThatThrownBy(() -> core(config, spec(false, Map.of("class_weighting", "maybe"))))
                .hasMessageContaining("class_weighting").hasMessageContaining("true or false");
    }
}
