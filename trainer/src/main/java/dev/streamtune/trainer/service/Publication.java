package dev.streamtune.trainer.service;

import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.trainer.TrainerState;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What the {@link TrainingCore} hands the Kafka shell at a publish point, in the order the shell
 * acts on it: (a) save {@code checkpoint} durably, (b) produce {@code version} (signed) and
 * {@code metrics} in one transaction, (c) commit {@code groupOffsets} (for lag monitoring only), then
 * tell the core it was {@linkplain TrainingCore#published published}.
 *
 * @param checkpoint null when the point is re-published from a checkpoint already on disk
 */
record Publication(PublishPoint point, TrainerState checkpoint, ModelVersion version, MetricsEvent metrics,
        Map<TopicPartition, Long> groupOffsets) {
    Publication {
        groupOffsets = Map.copyOf(groupOffsets);
    }
}
