package dev.streamtune.schemas.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class ServiceMetersTest {
    @Test
    void aMeterRegisteredBeforeBindingAppearsAndCountsInTheBoundRegistry() {
        try (ServiceMeters meters = new ServiceMeters()) {
            Counter early = Counter.builder("streamtune.test.events").tag("reason", "A").register(meters.registry());
            SimpleMeterRegistry scraped = new SimpleMeterRegistry();
            meters.bindTo(scraped);
            early.increment(2);
            Counter.builder("streamtune.test.events").tag("reason", "B").register(meters.registry()).increment();

            assertThat(scraped.get("streamtune.test.events").tag("reason", "A").counter().count()).isEqualTo(2);
            assertThat(scraped.get("streamtune.test.events").tag("reason", "B").counter().count()).isEqualTo(1);
        }
    }

    @Test
    void aKafkaProducerGetsMicrometersClientMetrics() {
        // a producer does not connect before its first send: no broker is needed to read its own metrics
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1", ProducerConfig.CLIENT_ID_CONFIG, "meters-test"),
                        new StringSerializer(), new StringSerializer());
             ServiceMeters meters = new ServiceMeters()) {
            SimpleMeterRegistry scraped = new SimpleMeterRegistry();
            meters.bindTo(scraped);
            meters.addKafkaClient(producer);
            assertThat(scraped.getMeters()).map(Meter::getId)
                    .anyMatch(id -> id.getName().startsWith("kafka.producer.") && "meters-test".equals(id.getTag("client.id")));
        }
    }

    @Test
    void somethingElseIsRefusedByItsType() {
        try (ServiceMeters meters = new ServiceMeters()) {
            assertThatThrownBy(() -> meters.addKafkaClient("not a client"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.String");
        }
    }
}
