package dev.streamtune.dashboard;

import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.schemas.DeadLetterHeaders;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a record of the metrics, model-update or dead-letter topic becomes part of a
 * {@link DashboardState}: the one place both the live dashboard ({@link DashboardConsumer}) and the
 * one-shot {@code streamtune status} fold records, so they show the same facts.
 */
public final class DashboardRecords {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardRecords.class);

    private final Topics topics;
    private final DashboardState state;
    private final AvroDeserializer<MetricsEvent> metrics;
    private final AvroDeserializer<ModelUpdate> updates;

    public DashboardRecords(Topics topics, DashboardState state, SchemaRegistryClient registry, AvroSerdeConfig serde) {
        this.topics = topics;
        this.state = state;
        this.metrics = new AvroDeserializer<>(registry, serde, MetricsEvent.class);
        this.updates = new AvroDeserializer<>(registry, serde, ModelUpdate.class);
    }

    /** The topics whose records are folded: metrics, model updates, dead letters. */
    public List<String> topics() {
        return List.of(topics.metrics(), topics.updates(), topics.dlq());
    }

    /**
     * Folds one record; an undecodable one (or one that cannot be folded) is counted and logged, never thrown:
     * one odd record must not stop the dashboard.
     */
    public void fold(String topic, int partition, long offset, byte[] value, Headers headers) {
        state.countRecord(topic);
        try {
            if (topic.equals(topics.dlq())) {
                state.foldDeadLetter(header(headers, DeadLetterHeaders.REASON));
            } else if (value == null) {
                // a tombstone on the compacted updates topic: nothing to show
                return;
            } else if (topic.equals(topics.metrics())) {
                state.fold(metrics.deserialize(topic, value));
            } else if (topic.equals(topics.updates())) {
                state.fold(updates.deserialize(topic, value));
            }
        } catch (SerializationException e) {
            state.countUndecodable();
            LOG.warn("skipping undecodable record {}-{}@{}: {}", topic, partition, offset, e.getMessage());
        } catch (RuntimeException e) {
            state.countUndecodable();
            LOG.warn("skipping record {}-{}@{} that could not be folded: {}", topic, partition, offset, e.toString());
        }
    }

    private static String header(Headers headers, String name) {
        Header header = headers == null ? null : headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
