package dev.streamtune.evaluator;

import dev.streamtune.schemas.MetricNames;

import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.MetricsEvent;
import dev.streamtune.avro.Split;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task's prequential figures at one moment.
 *
 * @param examples       train examples counted since the start
 * @param correct        how many of them the champion predicted right
 * @param windowExamples examples in the sliding window (the window size once it has filled)
 * @param windowCorrect  how many of those were right
 */
public record PrequentialSnapshot(String task, long examples, long correct, long windowExamples, long windowCorrect) {
    public PrequentialSnapshot {
        ClassificationMetrics.requireText(task, "task");
        if (examples < 0 || correct < 0 || correct > examples) {
            throw new IllegalArgumentException("need 0 <= correct <= examples, got correct=" + correct + ", examples=" + examples);
        }
        if (windowExamples < 0 || windowCorrect < 0 || windowCorrect > windowExamples || windowExamples > examples) {
            throw new IllegalArgumentException("need 0 <= windowCorrect <= windowExamples <= examples, got windowCorrect="
                    + windowCorrect + ", windowExamples=" + windowExamples + ", examples=" + examples);
        }
    }

    /** Accuracy over everything counted; NaN before the first example. */
    public double accuracy() {
        return examples == 0 ? Double.NaN : (double) correct / examples;
    }

    /** Accuracy over the sliding window; NaN before the first example. */
    public double windowAccuracy() {
        return windowExamples == 0 ? Double.NaN : (double) windowCorrect / windowExamples;
    }

    /** Values: {@code prequential_accuracy} (cumulative), {@code window_accuracy}, {@code n}, {@code window_n}. */
    public Map<String, Double> values() {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put(MetricNames.PREQUENTIAL_ACCURACY, accuracy());
        values.put(MetricNames.WINDOW_ACCURACY, windowAccuracy());
        values.put("n", (double) examples);
        values.put("window_n", (double) windowExamples);
        return values;
    }

    /**
     * The Avro event for the metrics topic: kind PREQUENTIAL on the TRAIN split.
     *
     * @param championVersion the version that made the predictions, or null when unknown
     */
    public MetricsEvent toMetricsEvent(String source, Long championVersion, Instant timestamp) {
        ClassificationMetrics.requireText(source, "source");
        if (timestamp == null) {
            throw new IllegalArgumentException("timestamp must not be null");
        }
        if (examples == 0) {
            throw new IllegalArgumentException("examples is 0 for task '" + task + "'; there is no accuracy to publish yet");
        }
        return MetricsEvent.newBuilder().setTask(task).setKind(MetricKind.PREQUENTIAL).setSource(source)
                .setVersion(championVersion).setSplit(Split.TRAIN).setValues(values()).setLabels(List.of())
                .setPerClass(List.of()).setConfusion(List.of()).setTimestamp(timestamp).build();
    }
}
