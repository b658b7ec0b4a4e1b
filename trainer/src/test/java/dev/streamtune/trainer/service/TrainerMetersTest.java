package dev.streamtune.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.schemas.metrics.ServiceMeters;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.signing.SigningKey;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TrainerMetersTest {
    @Test
    void aTrainerNotStartedYetHasItsTaskTaggedCountersAtZeroAndNoClientsYet() {
        TrainerService trainer = new TrainerService(TrainerServiceConfig.defaults("localhost:9092",
                AvroSerdeConfig.of("http://localhost:8081"), "spam", Path.of("target/trainer-meters")), SigningKey.generate());
        SimpleMeterRegistry scraped = new SimpleMeterRegistry();
        try (ServiceMeters meters = TrainerMeters.of(trainer)) {
            meters.bindTo(scraped);
            assertThat(scraped.get("streamtune.trainer.examples.trained").tag("task", "spam").functionCounter().count()).isZero();
            assertThat(scraped.get("streamtune.trainer.versions.published").tag("task", "spam").functionCounter().count()).isZero();
            assertThat(scraped.get("streamtune.trainer.records.skipped").tag("reason", "poison").functionCounter().count()).isZero();
            assertThat(scraped.get("streamtune.trainer.lag.records").gauge().value()).as("lag not known yet").isNaN();
            assertThat(scraped.getMeters()).map(Meter::getId).noneMatch(id -> id.getName().startsWith("kafka."));
            assertThat(trainer.kafkaClients()).isEmpty();
        }
    }
}
