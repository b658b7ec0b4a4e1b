package dev.streamtune.evaluator.service;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.evaluator.ClassificationMetrics;
import dev.streamtune.evaluator.GateDecision;
import dev.streamtune.evaluator.PrequentialAccuracy;
import dev.streamtune.evaluator.PrequentialSnapshot;
import dev.streamtune.evaluator.PromotionGate;
import dev.streamtune.evaluator.ValidationScore;
import dev.streamtune.subscriber.LoadedModel;
import dev.streamtune.subscriber.ModelLoader;
import dev.streamtune.subscriber.ModelRejectedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the evaluator decides, without Kafka: the materialized held-out sets, each task's champion, the
 * candidates waiting for enough validation data, and prequential accuracy. The service feeds it records and
 * publishes the {@link Output}s it returns. Confined to one thread.
 *
 * <p>Waiting candidates: a candidate is judged once its task has at least the gate's {@code minValidationExamples}
 * validation vectors from the candidate's backbone. Until then it waits (its offset is not committed), and it is
 * judged exactly once, as soon as the count is reached; it is not re-judged when still more data arrives. Judging
 * it earlier could only end in "keep champion: only n validation examples", a verdict that says nothing about the
 * model, and re-judging every candidate on every new example would re-publish metrics for versions the trainer has
 * long superseded.
 */
public final class EvaluationState {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluationState.class);

    /** A task's current champion and the offset of the update that made it one (-1 while our own write is in flight). */
    public record Champion(LoadedModel model, ModelUpdate update, long updateOffset) {
    }

    private record Pending(ModelVersion version, CandidatePosition position) {
    }

    private final ModelLoader loader;
    private final PromotionGate gate;
    private final PrequentialAccuracy prequential;
    private final String source;
    private final Clock clock;
    private final Duration prequentialInterval;
    private final FeatureStore features = new FeatureStore();
    private final Map<String, Champion> champions = new HashMap<>();
    private final Map<String, List<Pending>> pending = new HashMap<>();
    private final Set<String> judged = new HashSet<>();
    private final Set<String> prequentialDirty = new LinkedHashSet<>();
    private Instant lastPrequentialPublish;

    public EvaluationState(ModelLoader loader, PromotionGate gate, PrequentialAccuracy prequential, String source,
            Duration prequentialInterval, Clock clock) {
        this.loader = Objects.requireNonNull(loader, "loader");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.prequential = Objects.requireNonNull(prequential, "prequential");
        this.source = Objects.requireNonNull(source, "source");
        this.prequentialInterval = Objects.requireNonNull(prequentialInterval, "prequentialInterval");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lastPrequentialPublish = clock.instant();
    }

    public Optional<Champion> champion(String task) {
        return Optional.ofNullable(champions.get(task));
    }

    /** Tasks that have a champion. */
    public Set<String> championTasks() {
        return Set.copyOf(champions.keySet());
    }

    public FeatureStore features() {
        return features;
    }

    public PrequentialAccuracy prequential() {
        return prequential;
    }

    /** Candidates waiting for validation data, per task. */
    public Map<String, List<Long>> waiting() {
        Map<String, List<Long>> out = new HashMap<>();
        pending.forEach((task, list) -> out.put(task, list.stream().map(p -> p.version().getVersion()).toList()));
        return out;
    }

    /**
     * Applies an update read from the updates topic (a restart's history, a rollback, or our own promotion read
     * back). Records at or before the offset of the current champion's update are older news and are ignored.
     *
     * @return whether the champion changed
     */
    public boolean applyUpdate(ModelUpdate update, long offset) {
        Champion current = champions.get(update.getTask());
        if (current != null && current.updateOffset() >= offset) {
            return false;
        }
        if (current != null && current.model().version() == update.getVersion()
                && current.model().deltaSha256().equals(update.getModel().getDelta().getSha256())) {
            champions.put(update.getTask(), new Champion(current.model(), update, offset));
            return false;
        }
        try {
            LoadedModel model = loader.load(update.getModel());
            champions.put(update.getTask(), new Champion(model, update, offset));
            if (current != null) {
                release(current.model());
            }
            LOG.info("task '{}': champion is version {} ({} at offset {})", update.getTask(), update.getVersion(),
                    update.getAction(), offset);
            return true;
        } catch (ModelRejectedException e) {
            LOG.error("task '{}': update at offset {} names version {} which this evaluator cannot load; {} stays "
                    + "the champion: {}", update.getTask(), offset, update.getVersion(),
                    current == null ? "nothing" : "version " + current.model().version(), e.getMessage());
            return false;
        }
    }

    /** Records where our own promotion landed, so reading it back is recognised as old news. */
    public void confirmPublished(String task, long version, long offset) {
        Champion current = champions.get(task);
        if (current != null && current.model().version() == version && current.updateOffset() < 0) {
            champions.put(task, new Champion(current.model(), current.update(), offset));
        }
    }

    /**
     * Files one feature vector. A live TRAIN vector is first predicted by the task's champion and counted for
     * prequential accuracy; a VALIDATION vector may complete the set a waiting candidate needs.
     *
     * @param live false while replaying history at start-up: old train vectors are not prequential evidence
     */
    public List<Output> onFeature(FeatureVector feature, boolean live) {
        if (feature.getSplit() == Split.TRAIN && live) {
            countPrequential(feature);
        }
        features.put(feature);
        if (feature.getSplit() == Split.VALIDATION && pending.containsKey(feature.getTask())) {
            return releaseReady(feature.getTask());
        }
        return List.of();
    }

    private void countPrequential(FeatureVector feature) {
        Champion champion = champions.get(feature.getTask());
        if (champion == null || !champion.model().acceptsPooledFeatures()
                || !champion.model().backboneId().equals(feature.getBackbone())) {
            return;
        }
        float[] vector = new float[feature.getVector().size()];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = feature.getVector().get(i);
        }
        try {
            String predicted = champion.model().predictFeatures(vector).label();
            prequential.record(feature.getTask(), predicted.equals(feature.getLabel()));
            prequentialDirty.add(feature.getTask());
        } catch (IllegalArgumentException e) {
            LOG.warn("task '{}': train example '{}' cannot be scored by version {}: {}", feature.getTask(),
                    feature.getExampleId(), champion.model().version(), e.getMessage());
        }
    }

    /** Prequential events for tasks with new counts, at most once per interval. */
    public List<Output> prequentialDue() {
        Instant now = clock.instant();
        if (prequentialDirty.isEmpty() || Duration.between(lastPrequentialPublish, now).compareTo(prequentialInterval) < 0) {
            return List.of();
        }
        List<Output> out = new ArrayList<>();
        for (String task : prequentialDirty) {
            Optional<PrequentialSnapshot> snapshot = prequential.snapshot(task);
            Champion champion = champions.get(task);
            snapshot.ifPresent(s -> out.add(new Output.Metrics(s.toMetricsEvent(source,
                    champion == null ? null : champion.model().version(), now))));
        }
        prequentialDirty.clear();
        lastPrequentialPublish = now;
        return out;
    }

    /** Judges a candidate now, or parks it until its task has enough validation vectors. */
    public List<Output> onCandidate(ModelVersion candidate, CandidatePosition position) {
        String task = candidate.getTask();
        String key = task + "/" + candidate.getVersion();
        Champion champion = champions.get(task);
        if (champion != null && candidate.getVersion() <= champion.model().version()) {
            LOG.info("task '{}': candidate version {} is not newer than champion {}; skipped", task,
                    candidate.getVersion(), champion.model().version());
            return List.of();
        }
        if (judged.contains(key)) {
            return List.of();
        }
        String backbone = candidate.getBase() == null ? "" : candidate.getBase().getBackbone();
        int available = features.count(task, Split.VALIDATION, backbone);
        if (available < gate.config().minValidationExamples()) {
            LOG.info("task '{}': candidate version {} waits: {} validation vectors from '{}', the gate needs {}", task,
                    candidate.getVersion(), available, backbone, gate.config().minValidationExamples());
            List<Pending> list = pending.computeIfAbsent(task, t -> new ArrayList<>());
            list.removeIf(p -> p.version().getVersion() == candidate.getVersion());
            list.add(new Pending(candidate, position));
            list.sort(Comparator.comparingLong(p -> p.version().getVersion()));
            return List.of();
        }
        return judge(candidate);
    }

    private List<Output> releaseReady(String task) {
        List<Pending> list = pending.get(task);
        List<Output> out = new ArrayList<>();
        for (Pending p : List.copyOf(list)) {
            String backbone = p.version().getBase().getBackbone();
            if (features.count(task, Split.VALIDATION, backbone) >= gate.config().minValidationExamples()) {
                list.remove(p);
                out.addAll(onCandidate(p.version(), p.position()));
            }
        }
        if (list.isEmpty()) {
            pending.remove(task);
        }
        return out;
    }

    /**
     * The lowest offset per (topic, partition) of a waiting candidate: the candidate consumer must not commit past
     * it, or a restart would lose the candidate.
     */
    public Map<String, Map<Integer, Long>> waitingFloors() {
        Map<String, Map<Integer, Long>> floors = new HashMap<>();
        for (List<Pending> list : pending.values()) {
            for (Pending p : list) {
                floors.computeIfAbsent(p.position().topic(), t -> new HashMap<>())
                        .merge(p.position().partition(), p.position().offset(), Math::min);
            }
        }
        return floors;
    }

    private List<Output> judge(ModelVersion candidate) {
        String task = candidate.getTask();
        judged.add(task + "/" + candidate.getVersion());
        LoadedModel model;
        try {
            model = loader.load(candidate);
        } catch (ModelRejectedException e) {
            LOG.warn("task '{}': candidate version {} refused: {}", task, candidate.getVersion(), e.getMessage());
            return List.of();
        }
        List<LabelledVector> validation = features.examples(task, Split.VALIDATION, model.backboneId());
        ClassificationMetrics metrics;
        try {
            metrics = Scoring.score(model, validation);
        } catch (IllegalArgumentException e) {
            LOG.warn("task '{}': candidate version {} cannot be scored: {}", task, candidate.getVersion(), e.getMessage());
            release(model);
            return List.of();
        }
        Instant now = clock.instant();
        List<Output> out = new ArrayList<>();
        out.add(new Output.Metrics(metrics.toMetricsEvent(task, MetricKind.EVALUATION, source, candidate.getVersion(),
                Split.VALIDATION, now)));

        Champion champion = champions.get(task);
        GateDecision decision;
        if (champion == null) {
            decision = gate.decideFirstVersion(ValidationScore.of(metrics));
        } else if (!champion.model().backboneId().equals(model.backboneId())) {
            // a paired test needs the same examples; vectors of another backbone are other examples
            LOG.warn("task '{}': candidate {} is on backbone '{}' but champion {} on '{}'; judged against the floor",
                    task, candidate.getVersion(), model.backboneId(), champion.model().version(),
                    champion.model().backboneId());
            decision = gate.decideFirstVersion(ValidationScore.of(metrics));
        } else {
            ClassificationMetrics championMetrics = Scoring.score(champion.model(), validation);
            // examples seen let the gate promote a non-inferior, fresher challenger as a refresh (when enabled)
            decision = gate.decide(ValidationScore.of(metrics), ValidationScore.of(championMetrics),
                    candidate.getExamplesSeen(), champion.update().getModel().getExamplesSeen());
        }
        LOG.info("task '{}': candidate version {} on {} validation examples: macro-F1 {} -> {}", task,
                candidate.getVersion(), metrics.examples(), String.format("%.4f", metrics.macroF1()), decision.reason());
        if (!decision.promote()) {
            release(model);
            return out;
        }

        Map<String, Double> testValues = Map.of();
        List<LabelledVector> test = features.examples(task, Split.TEST, model.backboneId());
        if (!test.isEmpty()) {
            ClassificationMetrics testMetrics = Scoring.score(model, test);
            testValues = testMetrics.values();
            LOG.info("task '{}': champion version {} on {} test examples: {}", task, candidate.getVersion(),
                    testMetrics.examples(), testMetrics);
            out.add(new Output.Metrics(testMetrics.toMetricsEvent(task, MetricKind.EVALUATION, source,
                    candidate.getVersion(), Split.TEST, now)));
        }
        ModelUpdate update = ModelUpdate.newBuilder().setTask(task).setAction(UpdateAction.PROMOTE)
                .setVersion(candidate.getVersion())
                .setPreviousVersion(champion == null ? null : champion.model().version())
                .setReason(decision.reason()).setModel(candidate).setValidationMetrics(metrics.values())
                .setTestMetrics(testValues).setTimestamp(now).build();
        champions.put(task, new Champion(model, update, -1));
        if (champion != null) {
            release(champion.model());
        }
        // the update goes first so a reader of both topics never sees a champion's test score before the champion
        out.add(out.size() - (test.isEmpty() ? 0 : 1), new Output.Update(update));
        return out;
    }

    /**
     * Frees a model the evaluator no longer holds: a candidate that was not promoted, or a
     * replaced champion. Head-only models hold no native memory; models that train through the
     * encoder hold their own tensors and are AutoCloseable.
     */
    private static void release(LoadedModel model) {
        if (model instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("closing task '{}' version {}: {}", model.task(), model.version(), e.toString());
            }
        }
    }
}
