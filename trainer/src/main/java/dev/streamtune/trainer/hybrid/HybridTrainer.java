package dev.streamtune.trainer.hybrid;

import ai.djl.Device;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.head.HeadSpec;
import dev.streamtune.model.hybrid.HybridClassifier;
import dev.streamtune.model.hybrid.HybridClassifier.SparseRow;
import dev.streamtune.model.hybrid.HybridTechnique;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.optim.AdamOptimizer;
import dev.streamtune.trainer.ClassBalancedReplayBuffer;
import dev.streamtune.trainer.TrainingExample;
import dev.streamtune.trainer.StreamingTrainer;
import dev.streamtune.trainer.TrainerState;
import dev.streamtune.trainer.hybrid.HybridScoring.FeatureSet;
import dev.streamtune.trainer.hybrid.HybridScoring.Held;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the {@link HybridTechnique}: keeps every train example it has seen (up to
 * {@code maxRetained}, oldest evicted first) and the task's validation examples, and at each publish
 * point refits a {@link HybridClassifier} to convergence on all of them ({@link SoftmaxFit}),
 * choosing on the validation split, by macro-F1, between three feature sets (lexical and embedding,
 * lexical only, embedding only), the regularisation {@code C} from the technique's grid, and
 * balanced or unweighted classes. Fits are warm-started from the last solution of the same
 * configuration ({@link WarmStarts}), so later publishes converge in a few iterations.
 *
 * <p>A micro-batch step only retains its examples and reports the current model's log-loss on them
 * (prequential: measured before the model has seen them). Checkpoints hold the fitted tensors;
 * the retained examples are re-read from the input topic on restart ({@link #retainsInput()}).
 */
public final class HybridTrainer implements StreamingTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(HybridTrainer.class);
    /** Below this many usable validation examples the fit takes the middle of the grid, both blocks, balanced. */
    static final int MIN_SELECTION_EXAMPLES = 30;
    /**
     * The full selection (every feature set along the C path, then class weighting) runs again once the
     * retained or validation examples grew by this factor since the last one; publishes in between refit
     * the chosen configuration alone. Selections thus cost O(log n) over a stream, not one per publish.
     */
    static final double SELECT_AGAIN_GROWTH = 1.5;
    /**
     * The model search fits on at most this many evenly spaced retained examples (the chosen configuration is
     * then refit on all): the regularisation that wins on 3,000 examples is within a step of the grid of the one
     * that wins on 30,000, at a tenth of the cost. Past it, selection repeats when the data quadrupled.
     */
    static final int SELECTION_SAMPLE = 3_000;
    /** How many times the search may go past the grid's largest C (by x4 each) while validation improves. */
    static final int MAX_GRID_EXTENSIONS = 2;
    /** ... or once a class's share of the retained examples moved by this much (a stream ordered by class). */
    static final double SELECT_AGAIN_SHIFT = 0.05;
    private static final String FIT_TENSOR = "hybrid.fit";
    /** TaskSpec setting: train examples kept for the refits (oldest evicted first). */
    public static final String MAX_RETAINED = "max_retained";
    /** 100k examples of 384 floats and their terms: about 200 MB. */
    public static final int DEFAULT_MAX_RETAINED = 100_000;
    /** Iteration caps and tolerance in the range scikit-learn's lbfgs uses (100 iterations, tol 1e-4). */
    private static final int COLD_ITERATIONS = 150;
    private static final int WARM_ITERATIONS = 60;
    private static final double GRADIENT_TOLERANCE = 1e-4;

    /**
     * @param spec          the hybrid spec ({@code head.inputDim()} is the embedding width; options carry the grid)
     * @param maxRetained   train examples kept for refits, oldest evicted first; a quarter as many validation
     *                      examples are kept for the model search (at the default 80/10/10 split that is all of them
     *                      until the train examples reach the bound)
     */
    public record Config(TechniqueSpec spec, int maxRetained) {
        public Config {
            Objects.requireNonNull(spec, "spec");
            if (!HybridTechnique.ID.equals(spec.techniqueId())) {
                throw new IllegalArgumentException("HybridTrainer trains '" + HybridTechnique.ID + "', got '"
                        + spec.techniqueId() + "'");
            }
            if (maxRetained < 1) {
                throw new IllegalArgumentException("maxRetained must be >= 1, got " + maxRetained);
            }
        }

        /** Validation examples kept for the model search, the newest: a quarter of {@code maxRetained}. */
        public int maxValidation() {
            return Math.max(1, maxRetained / 4);
        }
    }

    private record Selection(FeatureSet set, double c, boolean balanced, double validationMacroF1,
            int validationExamples) {
    }

    private final Config config;
    private final int dim;
    private final int buckets;
    private final double[] grid;
    private final TechniqueSpec spec;
    private final List<String> labels;
    private final List<Long> classCounts;
    private final ArrayDeque<TrainingExample> retained = new ArrayDeque<>();
    private final Map<String, Held> validation = new LinkedHashMap<>();
    private final WarmStarts warm = new WarmStarts();
    private HybridClassifier classifier;
    private int selectedAt;
    private int selectedValidation;
    private int selections;
    private double[] selectedShares = new double[0];
    private long iterations;
    private Selection selection;
    private long fits;
    private long examplesSeen;
    private double lastFitSeconds;

    private HybridTrainer(Config config, List<String> labels, long[] counts) {
        this.config = config;
        this.dim = config.spec().head().inputDim();
        this.labels = new ArrayList<>(labels);
        if (this.labels.isEmpty()) {
            throw new IllegalArgumentException("a hybrid trainer needs at least one label");
        }
        this.buckets = HybridTechnique.buckets(config.spec(), this.labels.size());
        this.grid = HybridTechnique.cGrid(config.spec());
        Map<String, String> options = new LinkedHashMap<>(config.spec().options());
        options.put(HybridTechnique.BUCKETS, Integer.toString(buckets));
        this.spec = new TechniqueSpec(HybridTechnique.ID, config.spec().head(), options);
        this.classCounts = new ArrayList<>();
        for (int i = 0; i < this.labels.size(); i++) {
            classCounts.add(counts == null ? 0L : counts[i]);
        }
    }

    public static HybridTrainer create(Config config, List<String> labels) {
        return new HybridTrainer(config, labels, null);
    }

    /** Continues from a checkpoint: the fitted model and counters; the retained examples come back by re-reading. */
    public static HybridTrainer restore(Config config, TrainerState state) {
        if (!HybridTechnique.ID.equals(state.techniqueId())) {
            throw new IllegalArgumentException("checkpoint is of technique '" + state.techniqueId() + "', not '"
                    + HybridTechnique.ID + "'");
        }
        HybridTrainer trainer = new HybridTrainer(config, state.labels(), state.classCounts());
        trainer.examplesSeen = state.examplesSeen();
        trainer.fits = state.step();
        List<NamedTensor> tensors = new ArrayList<>(state.parameters());
        if (!tensors.isEmpty()) {
            NamedTensor fit = tensors.remove(tensors.size() - 1);
            if (!FIT_TENSOR.equals(fit.name()) || fit.valuesView().length != 5) {
                throw new IllegalArgumentException("hybrid checkpoint lacks its '" + FIT_TENSOR + "' tensor");
            }
            float[] f = fit.valuesView();
            trainer.classifier = HybridClassifier.fromTensors(tensors);
            trainer.selection = new Selection(FeatureSet.values()[(int) f[0]], f[1], f[2] != 0, f[3], (int) f[4]);
        }
        return trainer;
    }

    @Override
    public StepResult step(List<TrainingExample> newExamples) {
        double loss = 0;
        for (TrainingExample example : newExamples) {
            check(example);
            retain(example);
            classCounts.set(example.labelIndex(), classCounts.get(example.labelIndex()) + 1);
            loss += logLoss(example);
        }
        examplesSeen += newExamples.size();
        return new StepResult(fits, newExamples.isEmpty() ? 0f : (float) (loss / newExamples.size()), 0f,
                newExamples.size(), 0);
    }

    @Override
    public Optional<StepResult> rehearse(int batchSize) {
        return Optional.empty(); // every publish refits on everything retained: nothing to rehearse
    }

    @Override
    public int addLabel(String label) {
        int index = labels.indexOf(label);
        if (index >= 0) {
            return index;
        }
        labels.add(label);
        classCounts.add(0L);
        warm.clear(); // solutions of the smaller label set no longer fit
        return labels.size() - 1;
    }

    @Override
    public boolean readsValidation() {
        return true;
    }

    @Override
    public void validation(String exampleId, String label, TrainingExample features) {
        check(features);
        validation.put(exampleId, new Held(label, features.features(), FitData.termsOf(features)));
        while (validation.size() > config.maxValidation()) {
            validation.remove(validation.keySet().iterator().next());
        }
    }

    int validationCount() {
        return validation.size();
    }

    @Override
    public boolean retainsInput() {
        return true;
    }

    @Override
    public void restoreRetained(TrainingExample example) {
        check(example);
        retain(example);
    }

    /** Full model searches run so far (the other fits refit the chosen configuration). */
    int selections() {
        return selections;
    }

    Set<String> warmStarts() {
        return warm.keys();
    }

    int retainedCount() {
        return retained.size();
    }

    private void retain(TrainingExample example) {
        retained.addLast(example);
        while (retained.size() > config.maxRetained()) {
            retained.removeFirst();
        }
    }

    private void check(TrainingExample example) {
        if (example.features().length != dim) {
            throw new IllegalArgumentException("pooled embedding has " + example.features().length
                    + " values, the hybrid model expects " + dim);
        }
    }

    private double logLoss(TrainingExample example) {
        if (classifier == null || classifier.labelCount() != labels.size()) {
            return Math.log(labels.size());
        }
        float[] p = classifier.probabilities(example.features(), FitData.termsOf(example));
        return -Math.log(Math.max(p[example.labelIndex()], 1e-12));
    }

    /** Refits on everything retained, choosing the configuration on the validation split. */
    @Override
    public void consolidate() {
        if (retained.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        int k = labels.size();
        int n = retained.size();
        FitData.Prepared prepared = FitData.prepare(retained, buckets, k);
        float[] idf = prepared.idf();
        FitData.Rows rows = prepared.rows();
        SparseRow[] lexical = rows.lexical();
        float[][] dense = rows.dense();
        int[] truth = rows.truth();
        float[] unweighted = rows.unweighted();
        float[] balanced = rows.balanced();
        List<Held> heldOut = new ArrayList<>();
        for (Held held : validation.values()) {
            if (labels.contains(held.label())) {
                heldOut.add(held);
            }
        }
        int fitsRun = 0;
        iterations = 0;
        Selection best = null;
        float[] bestTheta = null;
        double[] shares = FitData.shares(truth, k);
        boolean select = heldOut.size() >= MIN_SELECTION_EXAMPLES && (selection == null
                || selection.validationExamples() < MIN_SELECTION_EXAMPLES || selectedShares.length != k
                || Math.min(n, SELECTION_SAMPLE) >= SELECT_AGAIN_GROWTH * Math.min(selectedAt, SELECTION_SAMPLE)
                || n >= 4L * selectedAt || heldOut.size() >= SELECT_AGAIN_GROWTH * selectedValidation
                || FitData.shifted(shares, selectedShares));
        if (heldOut.size() < MIN_SELECTION_EXAMPLES) {
            double c = grid[grid.length / 2];
            bestTheta = fit("", FeatureSet.BOTH, c, true, k, lexical, dense, truth, balanced, null);
            fitsRun++;
            best = new Selection(FeatureSet.BOTH, c, true, Double.NaN, heldOut.size());
        } else if (!select) {
            // between selections: refit the chosen configuration on the new data, warm-started
            float[] weightsUsed = selection.balanced() ? balanced : unweighted;
            bestTheta = fit("", selection.set(), selection.c(), selection.balanced(), k, lexical, dense, truth,
                    weightsUsed, null);
            fitsRun++;
            best = new Selection(selection.set(), selection.c(), selection.balanced(),
                    score(bestTheta, idf, selection.set(), k, heldOut), heldOut.size());
        } else {
            // a search on an evenly spaced sample of at most SELECTION_SAMPLE examples; the winner is refit on all
            warm.beginRound();
            int[] sample = FitData.sample(n, SELECTION_SAMPLE);
            FitData.Rows sampled = sample == null ? rows : rows.sample(sample, k);
            SparseRow[] sLexical = sampled.lexical();
            float[][] sDense = sampled.dense();
            int[] sTruth = sampled.truth();
            float[] sBalanced = sampled.balanced();
            float[] sUnweighted = sampled.unweighted();
            String prefix = sample == null ? "" : "sample|";
            for (FeatureSet set : FeatureSet.values()) {
                // a regularisation path: each C starts from the previous C's solution unless an older fit of
                // exactly this configuration is at hand; it stops once validation macro-F1 fell twice in a row
                float[] previous = null;
                double previousF1 = -1;
                int falls = 0;
                for (double c : grid) {
                    float[] theta = fit(prefix, set, c, true, k, sLexical, sDense, sTruth, sBalanced, previous);
                    fitsRun++;
                    double f1 = score(theta, idf, set, k, heldOut);
                    if (best == null || f1 > best.validationMacroF1() + 1e-9) {
                        best = new Selection(set, c, true, f1, heldOut.size());
                        bestTheta = theta;
                    }
                    falls = f1 < previousF1 - 1e-9 ? falls + 1 : 0;
                    previousF1 = f1;
                    previous = theta;
                    if (falls >= 2) {
                        break;
                    }
                }
            }
            // the best C at the grid's upper edge: the data wants less regularisation than the grid offers
            for (int extra = 0; extra < MAX_GRID_EXTENSIONS && grid.length > 1 && best.c() >= grid[grid.length - 1]
                    && best.c() < 1e6; extra++) {
                double c = best.c() * 4;
                float[] theta = fit(prefix, best.set(), c, true, k, sLexical, sDense, sTruth, sBalanced, bestTheta);
                fitsRun++;
                double f1 = score(theta, idf, best.set(), k, heldOut);
                if (!(f1 > best.validationMacroF1() + 1e-9)) {
                    break;
                }
                best = new Selection(best.set(), c, true, f1, heldOut.size());
                bestTheta = theta;
            }
            float[] theta = fit(prefix, best.set(), best.c(), false, k, sLexical, sDense, sTruth, sUnweighted, bestTheta);
            fitsRun++;
            double f1 = score(theta, idf, best.set(), k, heldOut);
            if (f1 > best.validationMacroF1() + 1e-9) {
                best = new Selection(best.set(), best.c(), false, f1, heldOut.size());
                bestTheta = theta;
            }
            if (sample != null) {
                bestTheta = fit("", best.set(), best.c(), best.balanced(), k, lexical, dense, truth,
                        best.balanced() ? balanced : unweighted, bestTheta);
                fitsRun++;
                best = new Selection(best.set(), best.c(), best.balanced(),
                        score(bestTheta, idf, best.set(), k, heldOut), heldOut.size());
            }
            selectedAt = n;
            selections++;
            selectedValidation = heldOut.size();
            selectedShares = shares;
            warm.endRound();
        }
        classifier = classifierOf(bestTheta, idf, best.set(), k);
        selection = best;
        fits++;
        lastFitSeconds = (System.nanoTime() - start) / 1e9;
        LOG.info(String.format("hybrid fit %d: %,d train examples, %d validation; chose %s, C=%s, %s classes,"
                        + " validation macro-F1 %.4f (%s: %d fits, %d L-BFGS iterations, %.1f s)", fits, n, heldOut.size(),
                best.set().label, HybridScoring.fmt(best.c()), best.balanced() ? "balanced" : "unweighted", best.validationMacroF1(),
                select ? "selection" : "refit", fitsRun, iterations, lastFitSeconds));
    }

    /**
     * One fit, warm-started from this configuration's previous solution when there is one, else from
     * {@code fallback} (a neighbouring configuration's), else from zeros.
     */
    private float[] fit(String prefix, FeatureSet set, double c, boolean balanced, int k, SparseRow[] lexical,
            float[][] dense, int[] truth, float[] weights, float[] fallback) {
        SoftmaxFit fit = new SoftmaxFit(k, buckets, dim, set.lexicalScale == 0 ? null : lexical,
                set.denseScale == 0 ? null : dense, truth, weights);
        String key = prefix + set + "|" + c + "|" + balanced;
        float[] init = warm.get(key);
        if (init == null || init.length != fit.parameterCount()) {
            init = fallback != null && fallback.length == fit.parameterCount() ? fallback : null;
        }
        SoftmaxFit.Result result = fit.fit(c, init, init == null ? COLD_ITERATIONS : WARM_ITERATIONS, GRADIENT_TOLERANCE);
        warm.put(key, result.theta());
        iterations += result.iterations();
        return result.theta();
    }

    private HybridClassifier classifierOf(float[] theta, float[] idf, FeatureSet set, int k) {
        return HybridScoring.classifier(theta, idf, set, k, buckets, dim);
    }

    private double score(float[] theta, float[] idf, FeatureSet set, int k, List<Held> heldOut) {
        return HybridScoring.macroF1(classifierOf(theta, idf, set, k), heldOut, labels);
    }

    @Override
    public TrainerState snapshot(Map<String, Long> nextOffsets) {
        List<NamedTensor> parameters = new ArrayList<>();
        if (classifier != null) {
            parameters.addAll(classifier.toTensors());
            parameters.add(new NamedTensor(FIT_TENSOR, new long[] {5}, new float[] {selection.set().ordinal(),
                    (float) selection.c(), selection.balanced() ? 1 : 0, (float) selection.validationMacroF1(),
                    selection.validationExamples()}));
        }
        long[] counts = classCounts.stream().mapToLong(Long::longValue).toArray();
        return new TrainerState(HybridTechnique.ID, HeadSpec.linear(dim), labels, fits, examplesSeen, 0L, parameters,
                new AdamOptimizer.State(0, List.of(), List.of()), counts, new ClassBalancedReplayBuffer.State(List.of()),
                nextOffsets);
    }

    @Override
    public Delta delta() {
        if (classifier == null || classifier.labelCount() != labels.size()) {
            consolidate();
        }
        if (classifier == null) {
            throw new IllegalStateException("the hybrid model has not been fitted: no train examples yet");
        }
        return DeltaCodec.encode(classifier.toTensors());
    }

    /** The fitted model, if any: for tests and the benchmark. */
    public Optional<HybridClassifier> classifier() {
        return Optional.ofNullable(classifier);
    }

    @Override
    public List<String> labels() {
        return List.copyOf(labels);
    }

    @Override
    public long step() {
        return fits;
    }

    @Override
    public long examplesSeen() {
        return examplesSeen;
    }

    @Override
    public long trainableParameterCount() {
        return (long) labels.size() * (buckets + dim + 1);
    }

    @Override
    public OptionalDouble trainableFraction() {
        return OptionalDouble.empty();
    }

    @Override
    public TechniqueSpec techniqueSpec() {
        return spec;
    }

    @Override
    public Device device() {
        return Device.cpu();
    }

    @Override
    public Map<String, String> trainingSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("max_retained", Integer.toString(config.maxRetained()));
        settings.put("retained", Integer.toString(retained.size()));
        if (selection != null) {
            settings.put("features", selection.set().label);
            settings.put("c", HybridScoring.fmt(selection.c()));
            settings.put("class_weight", selection.balanced() ? "balanced" : "none");
            settings.put("selection_validation_macro_f1", String.format(java.util.Locale.ROOT, "%.4f",
                    selection.validationMacroF1()));
            settings.put("selection_validation_examples", Integer.toString(selection.validationExamples()));
            settings.put("fit_seconds", String.format(java.util.Locale.ROOT, "%.2f", lastFitSeconds));
        }
        return settings;
    }

    @Override
    public void close() {
        retained.clear();
        validation.clear();
        warm.clear();
    }
}
