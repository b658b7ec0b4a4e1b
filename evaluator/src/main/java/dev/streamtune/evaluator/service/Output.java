package dev.streamtune.evaluator.service;

import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.ModelUpdate;

/** Something the evaluator's decisions ask to publish, keyed by task. */
public sealed interface Output permits Output.Metrics, Output.Update, Output.DeadLetter {
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

    /**
     * A consumed record refused before it was judged (a candidate without a trusted signature), for the dead-letter
     * topic with its reason: nothing is dropped silently, and the dashboard counts it by reason.
     */
    record DeadLetter(String task, String topic, int partition, long offset, byte[] value, String reason,
            String message) implements Output {
    }
}
