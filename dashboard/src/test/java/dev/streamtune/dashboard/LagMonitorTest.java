package dev.streamtune.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.dashboard.DashboardSnapshot.GroupLag;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LagMonitorTest {
    private static ListOffsetsResultInfo end(long offset) {
        return new ListOffsetsResultInfo(offset, -1, Optional.empty());
    }

    @Test
    void lagIsEndMinusCommittedSummedPerTopicAndNeverNegative() {
        TopicPartition train0 = new TopicPartition("examples.train", 0);
        TopicPartition train1 = new TopicPartition("examples.train", 1);
        TopicPartition raw0 = new TopicPartition("examples.raw", 0);
        TopicPartition gone = new TopicPartition("deleted", 0);

        GroupLag lag = LagMonitor.lagOf("ingest", Map.of(
                        train0, new OffsetAndMetadata(10), train1, new OffsetAndMetadata(4),
                        raw0, new OffsetAndMetadata(20), gone, new OffsetAndMetadata(3)),
                Map.of(train0, end(15), train1, end(4), raw0, end(18)));

        assertThat(lag.group()).isEqualTo("ingest");
        assertThat(lag.lag()).isEqualTo(5);
        assertThat(lag.partitions()).isEqualTo(4);
        assertThat(lag.byTopic()).containsExactly(Map.entry("examples.raw", 0L), Map.entry("examples.train", 5L));
    }
}
