package dev.streamtune.evaluator.service;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.MetricKind;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.evaluator.ClassificationMetrics;
import dev.streamtune.evaluator.GateDecision;
import dev.streamtune.evaluator.PrequentialAccuracy;
import dev.streamtune.evaluator.PromotionGate;
import dev.streamtune.evaluator.ValidationScore;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.loader.LoadedModel;
import dev.streamtune.loader.ModelLoader;
import dev.streamtune.loader.ModelRejectedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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
 * <p>Held-out sets come in two forms: pooled vectors from the features topic ({@link FeatureStore}), which head-only
 * versions predict from without running the backbone, and texts from the split topics ({@link ExampleStore}), which
 * versions of techniques that adapt the encoder (input kind {@code TOKEN_IDS}: prompts, ATTEMPT, LoRA, BitFit,
 * unfreezing) predict from. Two versions are compared on the examples both can score: the ids present in every store
 * either of them needs, in one fixed order, so the paired test pairs the same examples whatever the techniques.
 *
 * <p>Waiting candidates: a candidate is judged once its task has at least the gate's {@code minValidationExamples}
 * validation examples it can score (vectors from the candidate's backbone, or texts). Until then it waits (its
 * offset is not committed), and it is judged exactly once, as soon as the count is reached; it is not re-judged when still more data arrives. Judging
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

    /** A live train example waiting for its text champion's prediction (predicted in batches, once per round). */

    private final ModelLoader loader;
    private final PromotionGate gate;
    private final PrequentialScoring prequential;
    private final String source;
    private final Clock clock;
    private final FeatureStore features;
    private final ExampleStore texts;
    private final Map<String, Champion> champions = new HashMap<>();
    private final Map<String, List<Pending>> pending = new HashMap<>();
    private final Set<String> judged = new HashSet<>();

    public EvaluationState(ModelLoader loader, PromotionGate gate, PrequentialAccuracy prequential, String source,
            Duration prequentialInterval, Clock clock) {
        this(loader, gate, prequential, source, prequentialInterval, clock, EvaluatorConfig.DEFAULT_MAX_HELD_OUT);
    }

    /** As above, keeping at most {@code maxHeldOut} validation and as many test examples per task, the newest. */
    public EvaluationState(ModelLoader loader, PromotionGate gate, PrequentialAccuracy prequential, String source,
            Duration prequentialInterval, Clock clock, int maxHeldOut) {
        this.features = new FeatureStore(maxHeldOut);
        this.texts = new ExampleStore(maxHeldOut);
        this.loader = Objects.requireNonNull(loader, "loader");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.prequential = new PrequentialScoring(prequential, source, prequentialInterval, clock);
        this.source = Objects.requireNonNull(source, "source");
        this.clock = Objects.requireNonNull(clock, "clock");
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

    public ExampleStore texts() {
        return texts;
    }

    /**
     * Whether versions of {@code techniqueId} predict from text (they run the encoder themselves) rather than from
     * the frozen backbone's pooled vectors. An unknown technique counts as pooled: the loader refuses it anyway.
     */
    public static boolean readsText(String techniqueId) {
        try {
            return Techniques.byId(techniqueId).inputKind() == BatchInput.InputKind.TOKEN_IDS;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public PrequentialAccuracy prequential() {
        return prequential.accuracy();
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
        prequential.flush(this::championModel);
        Champion current = champions.get(update.getTask());
        if (current != null && current.updateOffset() >= offset) {
            return false;
        }
        if (current != null && current.model().version() == update.getVersion()
                && current.model().deltaSha256().equals(update.getModel().getDelta().getSha256())) {
            champions.put(update.getTask(), new Champion(current.model(), update, offset));
            return false;
        }
        int labels = update.getModel() == null ? 0 : update.getModel().getLabels().size();
        if (labels > gate.config().maxLabels()) {
            LOG.error("task '{}': update at offset {} names version {} with {} labels; the limit is maxLabels {}, so {} "
                    + "stays the champion", update.getTask(), offset, update.getVersion(), labels,
                    gate.config().maxLabels(), current == null ? "nothing" : "version " + current.model().version());
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
            prequential.feature(feature, championModel(feature.getTask()));
        }
        features.put(feature);
        if (feature.getSplit() == Split.VALIDATION && pending.containsKey(feature.getTask())) {
            return releaseReady(feature.getTask());
        }
        return List.of();
    }

    /**
     * Files one example read from a split topic. A live TRAIN example is queued for its task's champion when that
     * champion predicts from text (prequential accuracy, predicted in batches by {@link #prequentialDue}); a
     * VALIDATION example may complete the set a waiting text candidate needs.
     *
     * @param split the split of the topic it was read from
     * @param live  false while replaying history at start-up
     */
    public List<Output> onExample(LabelledExample example, Split split, boolean live) {
        String id = example.getId();
        String task = example.getTask();
        if (id == null || task == null || example.getText() == null || example.getLabel() == null) {
            LOG.warn("skipping a {} example without id, task, text or label (id '{}', task '{}')", split, id, task);
            return List.of();
        }
        if (split == Split.TRAIN && live) {
            prequential.text(task, example.getText(), example.getLabel(), championModel(task));
        }
        texts.put(task, split, new LabelledText(id, example.getLabel(), example.getText()));
        if (split == Split.VALIDATION && pending.containsKey(task)) {
            return releaseReady(task);
        }
        return List.of();
    }

    /** Prequential events for tasks with new counts, at most once per interval. */
    public List<Output> prequentialDue() {
        return prequential.due(this::championModel);
    }

    private LoadedModel championModel(String task) {
        Champion champion = champions.get(task);
        return champion == null ? null : champion.model();
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
        int available = availableValidation(candidate);
        if (available < gate.config().minValidationExamples()) {
            LOG.info("task '{}': candidate version {} waits: {} validation {}, the gate needs {}", task,
                    candidate.getVersion(), available, readsText(candidate.getTechnique()) ? "texts"
                            : "vectors from '" + backboneOf(candidate) + "'", gate.config().minValidationExamples());
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
            if (availableValidation(p.version()) >= gate.config().minValidationExamples()) {
                list.remove(p);
                out.addAll(onCandidate(p.version(), p.position()));
            }
        }
        if (list.isEmpty()) {
            pending.remove(task);
        }
        return out;
    }

    /** Validation examples the candidate can be scored on: texts, or vectors from its backbone. */
    private int availableValidation(ModelVersion candidate) {
        return readsText(candidate.getTechnique()) ? texts.count(candidate.getTask(), Split.VALIDATION)
                : features.count(candidate.getTask(), Split.VALIDATION, backboneOf(candidate));
    }

    private static String backboneOf(ModelVersion candidate) {
        return candidate.getBase() == null ? "" : candidate.getBase().getBackbone();
    }

    /** The task's held-out examples of {@code split} that every one of {@code models} can score (see {@link HeldOutExample#commonTo}). */
    private Optional<List<HeldOutExample>> heldOut(String task, Split split, List<LoadedModel> models) {
        return HeldOutExample.commonTo(models, task, split, features, texts);
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
        // train texts that arrived under the current champion are its prequential evidence, not the next one's
        prequential.flush(this::championModel);
        int maxLabels = gate.config().maxLabels();
        if (candidate.getLabels().size() > maxLabels) {
            // refused before its weights are loaded: a head of that many classes is itself the problem
            LOG.warn("task '{}': candidate version {} refused: it has {} labels; the limit is maxLabels {}", task,
                    candidate.getVersion(), candidate.getLabels().size(), maxLabels);
            return List.of();
        }
        LoadedModel model;
        try {
            model = loader.load(candidate);
        } catch (ModelRejectedException e) {
            LOG.warn("task '{}': candidate version {} refused: {}", task, candidate.getVersion(), e.getMessage());
            return List.of();
        }
        Champion champion = champions.get(task);
        Optional<List<HeldOutExample>> shared = champion == null ? Optional.empty()
                : heldOut(task, Split.VALIDATION, List.of(model, champion.model()));
        boolean paired = shared.isPresent() && !shared.get().isEmpty();
        List<HeldOutExample> validation = paired ? shared.get()
                : heldOut(task, Split.VALIDATION, List.of(model)).orElseThrow();
        ClassificationMetrics metrics;
        try {
            metrics = Scoring.score(model, validation, maxLabels);
        } catch (IllegalArgumentException e) {
            LOG.warn("task '{}': candidate version {} cannot be scored: {}", task, candidate.getVersion(), e.getMessage());
            release(model);
            return List.of();
        }
        Instant now = clock.instant();
        List<Output> out = new ArrayList<>();
        out.add(new Output.Metrics(metrics.toMetricsEvent(task, MetricKind.EVALUATION, source, candidate.getVersion(),
                Split.VALIDATION, now)));

        GateDecision decision;
        if (champion == null) {
            decision = gate.decideFirstVersion(ValidationScore.of(metrics));
        } else if (shared.isEmpty()) {
            // a paired test needs the same examples; vectors of another backbone are other examples
            LOG.warn("task '{}': candidate {} is on backbone '{}' but champion {} on '{}'; judged as a first "
                    + "version, against the majority baseline",
                    task, candidate.getVersion(), model.backboneId(), champion.model().version(),
                    champion.model().backboneId());
            decision = gate.decideFirstVersion(ValidationScore.of(metrics));
        } else if (!paired) {
            decision = new GateDecision(false, "keep champion: no validation example has both the text and the vector"
                    + " that candidate " + candidate.getVersion() + " (" + model.techniqueId() + ") and champion "
                    + champion.model().version() + " (" + champion.model().techniqueId() + ") need", Double.NaN,
                    Double.NaN);
        } else {
            decision = againstChampion(candidate, metrics, champion, validation, maxLabels);
        }
        LOG.info("task '{}': candidate version {} on {} validation examples: macro-F1 {} -> {}", task,
                candidate.getVersion(), metrics.examples(), String.format("%.4f", metrics.macroF1()), decision.reason());
        if (!decision.promote()) {
            release(model);
            return out;
        }

        Map<String, Double> testValues = Map.of();
        List<HeldOutExample> test = heldOut(task, Split.TEST, List.of(model)).orElseThrow();
        ClassificationMetrics testMetrics = null;
        if (!test.isEmpty()) {
            try {
                testMetrics = Scoring.score(model, test, maxLabels);
            } catch (IllegalArgumentException e) {
                // the test split may hold labels validation does not; the promotion stands without test scores
                LOG.warn("task '{}': champion version {} cannot be scored on test: {}", task, candidate.getVersion(),
                        e.getMessage());
            }
        }
        if (testMetrics != null) {
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
        out.add(out.size() - (testMetrics == null ? 0 : 1), new Output.Update(update));
        return out;
    }

    /** The gate's verdict on a challenger scored on the same examples as its champion; the champion stays if it cannot be scored. */
    private GateDecision againstChampion(ModelVersion candidate, ClassificationMetrics metrics, Champion champion,
            List<HeldOutExample> validation, int maxLabels) {
        ClassificationMetrics championMetrics;
        try {
            championMetrics = Scoring.score(champion.model(), validation, maxLabels);
        } catch (IllegalArgumentException e) {
            return new GateDecision(false, "keep champion: champion " + champion.model().version()
                    + " cannot be scored on the examples candidate " + candidate.getVersion() + " was: " + e.getMessage(),
                    Double.NaN, Double.NaN);
        }
        // examples seen let the gate promote a non-inferior, fresher challenger as a refresh (when enabled)
        return gate.decide(ValidationScore.of(metrics), ValidationScore.of(championMetrics),
                candidate.getExamplesSeen(), champion.update().getModel().getExamplesSeen());
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
