package dev.streamtune.trainer.service;

import dev.streamtune.schemas.metrics.ServiceMeters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.function.ToDoubleFunction;

/**
 * A trainer's meters, tagged by its task: what it trained, published and skipped, read through its
 * {@link TrainerService#counters()}, and Micrometer's metrics of its Kafka consumer and producer once
 * its loop has opened them (they exist from {@link TrainerService#started()} on).
 */
public final class TrainerMeters {
    private TrainerMeters() {
    }

    /** The meters of {@code trainer}; the caller binds them where /metrics is served and closes them after the trainer. */
    public static ServiceMeters of(TrainerService trainer) {
        ServiceMeters meters = new ServiceMeters();
        MeterRegistry registry = meters.registry();
        Tags task = Tags.of("task", trainer.config().task());
        counter(registry, "streamtune.trainer.examples.trained", task, trainer, c -> c.examplesTrained(),
                "New examples the trainer has trained on");
        counter(registry, "streamtune.trainer.steps", task, trainer, c -> c.steps(), "Optimizer steps taken");
        counter(registry, "streamtune.trainer.versions.published", task, trainer, c -> c.versionsPublished(),
                "Candidate versions published on models.candidates");
        String skipped = "Records the trainer read and did not train on, by reason";
        counter(registry, "streamtune.trainer.records.skipped", task.and("reason", "other_task_or_split"), trainer,
                c -> c.recordsSkipped(), skipped);
        counter(registry, "streamtune.trainer.records.skipped", task.and("reason", "unknown_label"), trainer,
                c -> c.unknownLabels(), skipped);
        counter(registry, "streamtune.trainer.records.skipped", task.and("reason", "malformed"), trainer,
                c -> c.malformed(), skipped);
        counter(registry, "streamtune.trainer.records.skipped", task.and("reason", "poison"), trainer,
                c -> c.poisonRecords(), skipped);
        Gauge.builder("streamtune.trainer.latest.version", trainer, t -> t.counters().lastPublishedVersion())
                .tags(task).description("Highest version of the task on models.candidates, 0 if none").register(registry);
        Gauge.builder("streamtune.trainer.loss", trainer, t -> t.counters().lastLoss())
                .tags(task).description("Training loss of the last step, NaN before the first").register(registry);
        Gauge.builder("streamtune.trainer.lag.records", trainer, t -> {
                    long lag = t.counters().lag();
                    return lag < 0 ? Double.NaN : lag;
                }).tags(task).description("Records of the input topic not yet handled, NaN before it is known")
                .register(registry);
        trainer.started().thenRun(() -> trainer.kafkaClients().forEach(meters::addKafkaClient));
        return meters;
    }

    private static void counter(MeterRegistry registry, String name, Tags tags, TrainerService trainer,
            ToDoubleFunction<TrainerCounters> read, String description) {
        FunctionCounter.builder(name, trainer, t -> read.applyAsDouble(t.counters())).tags(tags)
                .description(description).register(registry);
    }
}
