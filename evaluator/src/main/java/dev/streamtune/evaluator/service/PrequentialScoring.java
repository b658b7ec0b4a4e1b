package dev.streamtune.evaluator.service;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.evaluator.PrequentialAccuracy;
import dev.streamtune.evaluator.PrequentialSnapshot;
import dev.streamtune.loader.LoadedModel;
import dev.streamtune.loader.Prediction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prequential accuracy for {@link EvaluationState}: each live train example is predicted by its task's champion
 * before any trainer learns from it. Head-only champions predict the feature vector at once; champions that read
 * text have their train texts queued and predicted in one batch per task ({@link #flush}). Tasks with new counts
 * publish a snapshot at most once per interval ({@link #due}).
 */
final class PrequentialScoring {
    private static final Logger LOG = LoggerFactory.getLogger(PrequentialScoring.class);

    private record TrainText(String task, String text, String label) {
    }

    private final PrequentialAccuracy accuracy;
    private final String source;
    private final Duration interval;
    private final Clock clock;
    private final List<TrainText> queued = new ArrayList<>();
    private final Set<String> dirty = new LinkedHashSet<>();
    private Instant lastPublish;

    PrequentialScoring(PrequentialAccuracy accuracy, String source, Duration interval, Clock clock) {
        this.accuracy = Objects.requireNonNull(accuracy, "prequential");
        this.source = Objects.requireNonNull(source, "source");
        this.interval = Objects.requireNonNull(interval, "prequentialInterval");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lastPublish = clock.instant();
    }

    PrequentialAccuracy accuracy() {
        return accuracy;
    }

    /** Scores a live train vector with {@code champion} when the champion predicts from vectors of its backbone. */
    void feature(FeatureVector feature, LoadedModel champion) {
        if (champion == null || !champion.acceptsPooledFeatures() || !champion.backboneId().equals(feature.getBackbone())) {
            return;
        }
        float[] vector = new float[feature.getVector().size()];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = feature.getVector().get(i);
        }
        try {
            String predicted = champion.predictFeatures(vector, FeatureStore.terms(feature)).label();
            accuracy.record(feature.getTask(), predicted.equals(feature.getLabel()));
            dirty.add(feature.getTask());
        } catch (IllegalArgumentException e) {
            LOG.warn("task '{}': train example '{}' cannot be scored by version {}: {}", feature.getTask(),
                    feature.getExampleId(), champion.version(), e.getMessage());
        }
    }

    /** Queues a live train text for {@code champion} when the champion predicts from text. */
    void text(String task, String text, String label, LoadedModel champion) {
        if (champion != null && !champion.acceptsPooledFeatures()) {
            queued.add(new TrainText(task, text, label));
        }
    }

    /** Predicts the queued train texts with their task's champion, one batch per task, and counts them. */
    void flush(Function<String, LoadedModel> champions) {
        if (queued.isEmpty()) {
            return;
        }
        Map<String, List<TrainText>> byTask = new LinkedHashMap<>();
        for (TrainText text : queued) {
            byTask.computeIfAbsent(text.task(), t -> new ArrayList<>()).add(text);
        }
        queued.clear();
        byTask.forEach((task, texts) -> {
            LoadedModel champion = champions.apply(task);
            if (champion == null || champion.acceptsPooledFeatures()) {
                return;
            }
            List<Prediction> predictions;
            try {
                predictions = champion.predictTexts(texts.stream().map(TrainText::text).toList());
            } catch (IllegalArgumentException e) {
                LOG.warn("task '{}': {} train texts cannot be scored by version {}: {}", task, texts.size(),
                        champion.version(), e.getMessage());
                return;
            }
            for (int i = 0; i < texts.size(); i++) {
                accuracy.record(task, predictions.get(i).label().equals(texts.get(i).label()));
            }
            dirty.add(task);
        });
    }

    /** Prequential events for tasks with new counts, at most once per interval; the queued texts are scored first. */
    List<Output> due(Function<String, LoadedModel> champions) {
        flush(champions);
        Instant now = clock.instant();
        if (dirty.isEmpty() || Duration.between(lastPublish, now).compareTo(interval) < 0) {
            return List.of();
        }
        List<Output> out = new ArrayList<>();
        for (String task : dirty) {
            Optional<PrequentialSnapshot> snapshot = accuracy.snapshot(task);
            LoadedModel champion = champions.apply(task);
            snapshot.ifPresent(s -> out.add(new Output.Metrics(s.toMetricsEvent(source,
                    champion == null ? null : champion.version(), now))));
        }
        dirty.clear();
        lastPublish = now;
        return out;
    }
}
