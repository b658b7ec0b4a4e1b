package dev.streamtune.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class ProducerSettingsTest {

    @Test
    void keepsTheBaseAndAddsAcknowledgedIdempotentOneInFlight() {
        Map<String, Object> base = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "b:9092",
                ProducerConfig.ACKS_CONFIG, "1", ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);

        Map<String, Object> props = ProducerSettings.idempotentInOrder(base);

        assertThat(props).containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "b:9092")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1)
                .doesNotContainKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        assertThat(base).as("the base is not changed").containsEntry(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5); // callers add their own settings to the copy
    }

    @Test
    void aTransactionalProducerHasTheSameSettingsAndItsId() {
        Map<String, Object> props = ProducerSettings.transactional(Map.of(), "featurizer-0");

        assertThat(props).containsEntry(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "featurizer-0")
                .containsEntry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all");
    }
}
