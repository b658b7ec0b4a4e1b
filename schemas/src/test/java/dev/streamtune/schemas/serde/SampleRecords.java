package dev.streamtune.schemas.serde;

import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.ClassMetrics;
import dev.streamtune.avro.Delta;
import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.OffsetRange;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.avro.UpdateAction;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One realistic instance of every contract, for round-trip tests. */
final class SampleRecords {
    private SampleRecords() {}

    static final Instant T = Instant.parse("2026-11-26T10:15:30Z");

    static LabelledExample example() {
        return LabelledExample.newBuilder().setId("easy_ham-00001").setTask("spam")
                .setText("Subject: lunch?\n\nAre we still on for Friday — café at 12?")
                .setLabel("ham").setWeight(1.5).setSplit(Split.VALIDATION).setSource("spamassassin")
                .setEventTime(T).setMetadata(Map.of("group", "easy_ham")).build();
    }

    static TaskSpec task() {
        return TaskSpec.newBuilder().setTask("spam").setLabels(List.of("ham", "spam")).setLabelSetClosed(true)
                .setTechnique("head").setSettings(Map.of("head", "mlp", "hidden", "256"))
                .setDescription("SpamAssassin").setCreatedAt(T).build();
    }

    static FeatureVector features() {
        return FeatureVector.newBuilder().setExampleId("spam-00042").setTask("spam").setLabel("spam")
                .setSplit(Split.TRAIN).setBackbone("all-MiniLM-L6-v2").setBackboneSha256("ab".repeat(32))
                .setVector(List.of(0.25f, -0.5f, 0.125f)).setTokens(17).setCorrection(true)
                .setSourceTopic("examples.train").setSourcePartition(2).setSourceOffset(99L).build();
    }

    static ModelVersion version() {
        return ModelVersion.newBuilder().setTask("spam").setVersion(3).setParentVersion(2L).setTechnique("head")
                .setHyperparameters(Map.of("lr", "0.001"))
                .setBase(new BaseModel("all-MiniLM-L6-v2", "cd".repeat(32)))
                .setLabels(List.of("ham", "spam"))
                .setDelta(Delta.newBuilder().setFormat("djl-ndlist-v1").setSha256("ef".repeat(32)).setSizeBytes(4)
                        .setInline(ByteBuffer.wrap(new byte[] {1, 2, 3, 4})).build())
                .setTrainableParams(770)
                .setOffsetRanges(List.of(new OffsetRange("features.all-minilm-l6-v2", 0, 100L, 200L)))
                .setExamplesSeen(200).setSteps(7).setTrainMetrics(Map.of("loss", 0.31)).setWallTimeMs(1234)
                .setCodeVersion("0.1.0").setCreatedAt(T).build();
    }

    static ModelUpdate update() {
        return ModelUpdate.newBuilder().setTask("spam").setAction(UpdateAction.PROMOTE).setVersion(3)
                .setPreviousVersion(2L).setReason("macro_f1 +0.02, McNemar p=0.01").setModel(version())
                .setValidationMetrics(Map.of("macro_f1", 0.93)).setTimestamp(T).build();
    }

    static MetricsEvent metrics() {
        return MetricsEvent.newBuilder().setTask("spam").setKind(MetricKind.EVALUATION).setSource("evaluator")
                .setVersion(3L).setSplit(Split.VALIDATION).setValues(Map.of("accuracy", 0.95, "macro_f1", 0.93))
                .setLabels(List.of("ham", "spam"))
                .setPerClass(List.of(new ClassMetrics("ham", 0.96, 0.97, 0.965, 400L),
                        new ClassMetrics("spam", 0.9, 0.88, 0.89, 120L)))
                .setConfusion(List.of(List.of(388L, 12L), List.of(14L, 106L))).setTimestamp(T).build();
    }

    static List<SpecificRecord> all() {
        return List.of(example(), task(), features(), version(), update(), metrics(),
                new OffsetRange("t", 1, 2L, 3L));
    }
}
