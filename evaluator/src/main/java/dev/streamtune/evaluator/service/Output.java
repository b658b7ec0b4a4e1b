package dev.streamtune.evaluator.service;

import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;

/** Something the evaluator's decisions ask to publish, keyed by task. */
public sealed interface Output permits Output.Metrics, Output.Update {
    String task();

    /** A MetricsEvent for the metrics topic. */
    record Metrics(MetricsEvent event) implements Output {
        @Override
        public String task() {
            return event.getTask();
        }
    }

    /** A ModelUpdate for the compacted updates topic. */
    record Update(ModelUpdate update) implements Output {
        @Override
        public String task() {
            return update.getTask();
        }
    }
}
