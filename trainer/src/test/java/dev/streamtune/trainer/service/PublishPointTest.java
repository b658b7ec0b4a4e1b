package dev.streamtune.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.avro.OffsetRange;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PublishPointTest {
    private static final TopicPartition P0 = new TopicPartition("features.all-minilm-l6-v2", 0);
    private static final TopicPartition P2 = new TopicPartition("features.all-minilm-l6-v2", 2);

    /** The annotations exactly as checkpoints written before PublishPoint existed hold them. */
    private static Map<String, String> writtenByTheOldService() {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("service.version", "3");
        annotations.put("service.parentVersion", "2");
        annotations.put("service.offsetRanges", "features.all-minilm-l6-v2:0:10:20;features.all-minilm-l6-v2:2:5:7");
        annotations.put("service.cumulativeFrom", "features.all-minilm-l6-v2:0:0;features.all-minilm-l6-v2:2:1");
        annotations.put("service.trainLoss", "0.25");
        annotations.put("service.lastLoss", "0.125");
        annotations.put("service.wallTimeMs", "2000");
        annotations.put("service.createdAt", "1700000000000");
        annotations.put("service.newExamples", "12");
        annotations.put("service.sourceVersions", "fortune=3,wordnet=2");
        return annotations;
    }

    @Test
    void readsTheAnnotationsOfAnOldCheckpointAndWritesThemBackUnchanged() {
        PublishPoint point = PublishPoint.fromAnnotations(writtenByTheOldService());
        assertThat(point.version()).isEqualTo(3);
        assertThat(point.parentVersion()).isEqualTo(2);
        assertThat(point.newRanges()).containsExactly(new OffsetRange(P0.topic(), 0, 10L, 20L),
                new OffsetRange(P2.topic(), 2, 5L, 7L));
        assertThat(point.firsts()).containsExactly(Map.entry(P0, 0L), Map.entry(P2, 1L));
        assertThat(point.trainLoss()).isEqualTo(0.25);
        assertThat(point.createdAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(point.examplesPerSecond()).isEqualTo(6.0);
        assertThat(point.sourceVersions()).containsExactly(Map.entry("fortune", 3L), Map.entry("wordnet", 2L));
        assertThat(point.sourceNames()).isEqualTo("fortune@v3,wordnet@v2");
        assertThat(point.toAnnotations()).isEqualTo(writtenByTheOldService());
        assertThat(point.cumulativeRanges(Map.of(P0, 20L, P2, 1L)))
                .containsExactly(new OffsetRange(P0.topic(), 0, 0L, 20L));
    }

    @Test
    void aFirstVersionHasNoParentAndACheckpointWithoutAPointHasNone() {
        PublishPoint first = new PublishPoint(1, 0, List.of(), Map.of(P0, 0L), Double.NaN, Double.NaN, 0,
                Instant.EPOCH, 0, Map.of());
        assertThat(first.toAnnotations()).containsEntry("service.parentVersion", "")
                .doesNotContainKey("service.sourceVersions");
        assertThat(PublishPoint.fromAnnotations(first.toAnnotations())).isEqualTo(first);
        assertThat(PublishPoint.fromAnnotations(Map.of())).isNull();
        assertThat(PublishPoint.sourceVersionsOf(Map.of())).isEmpty();
    }

    @Test
    void aMalformedAnnotationNamesItsKey() {
        Map<String, String> annotations = writtenByTheOldService();
        annotations.put("service.offsetRanges", "t:0:1");
        assertThatThrownBy(() -> PublishPoint.fromAnnotations(annotations))
                .hasMessageContaining("service.offsetRanges").hasMessageContaining("topic:partition:from:until");
        annotations.putAll(writtenByTheOldService());
        annotations.put("service.wallTimeMs", "soon");
        assertThatThrownBy(() -> PublishPoint.fromAnnotations(annotations))
                .hasMessageContaining("service.wallTimeMs").hasMessageContaining("soon");
        assertThatThrownBy(() -> new PublishPoint(2, 2, List.of(), Map.of(), 0, 0, 0, Instant.EPOCH, 0, Map.of()))
                .hasMessageContaining("parentVersion").hasMessageContaining("[0, 2)");
        assertThat(PublishPoint.parseKey("features.a:b:12")).isEqualTo(new TopicPartition("features.a:b", 12));
    }
}
