package dev.streamtune.bench.peft;

import dev.streamtune.model.optim.AdamOptimizer;
import dev.streamtune.model.peft.*;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.TorchCompat;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.encoder.EncoderAdapter;
import dev.streamtune.model.encoder.EncoderWeights;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.encoder.PaddedTokens;
import dev.streamtune.model.head.HeadSpec;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.DeterministicRandom;
import dev.streamtune.model.technique.HeadOnlyTechnique;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.model.technique.TrainableModel;
import dev.streamtune.model.technique.TrainingBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Trains each technique on a stratified SpamAssassin subset and compares test macro-F1,
 * trainable parameters (and their fraction of the encoder's) and training examples/s, with
 * head-only on frozen features as the baseline. ATTEMPT's source prompts are prompt-tuned first on
 * two other real tasks shipped with the project: fortune categories and WordNet noun senses.
 *
 * <p>{@code main} writes {@code {technique: {test_macro_f1, trainable_params, trainable_fraction,
 * examples_per_s}}} as JSON ({@code --json FILE}) and prints a table; {@link #run} returns the
 * same figures for tests.
 */
public final class PeftBenchmark {
    static final String HEAD = HeadOnlyTechnique.ID;
    private static final int EVAL_BATCH = 32;
    /** Batches sorted by length within windows of this many batches: less padding, still shuffled. */
    private static final int BUCKET_BATCHES = 8;
    private static final long PROGRESS_EVERY_NANOS = 10_000_000_000L;

    private PeftBenchmark() {
    }

    /** One technique's figures. {@code examplesPerSecond} counts training examples (epochs included). */
    public record TechniqueResult(double testMacroF1, long trainableParams, double trainableFraction,
                                  double examplesPerSecond, double trainSeconds, int trainSteps) {
    }

    /** {@code device} is where the arrays lived, e.g. {@code cpu()} or {@code gpu(0)}. */
    public record Result(PeftBenchmarkConfig config, long encoderParameters, Map<String, TechniqueResult> techniques,
                         List<String> sourceTasks, String device) {
        public Result {
            techniques = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(techniques));
            sourceTasks = List.copyOf(sourceTasks);
        }

        /** {@code {technique: {test_macro_f1, trainable_params, trainable_fraction, examples_per_s}}}. */
        public String toJson() {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = mapper.createObjectNode();
            techniques.forEach((id, r) -> {
                ObjectNode node = root.putObject(id);
                node.put("test_macro_f1", r.testMacroF1());
                node.put("trainable_params", r.trainableParams());
                node.put("trainable_fraction", r.trainableFraction());
                node.put("examples_per_s", r.examplesPerSecond());
                node.put("device", device);
            });
            try {
                return mapper.writeValueAsString(root);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public String table() {
            StringBuilder out = new StringBuilder("device: " + device + System.lineSeparator());
            out.append(String.format(Locale.ROOT, "%-9s %10s %12s %11s %10s %9s%n",
                    "technique", "test_F1", "trainable", "fraction", "ex/s", "train_s"));
            techniques.forEach((id, r) -> out.append(String.format(Locale.ROOT, "%-9s %10.4f %12d %10.4f%% %10.1f %9.1f%n",
                    id, r.testMacroF1(), r.trainableParams(), 100 * r.trainableFraction(), r.examplesPerSecond(),
                    r.trainSeconds())));
            return out.toString();
        }
    }

    public static void main(String[] args) {
        String compat = TorchCompat.loadIfConfigured();
        if (compat != null) {
            System.err.println("loaded torch-compat shim " + compat);
        }
        PeftBenchmarkConfig config = PeftBenchmarkConfig.defaults();
        Path json = null;
        Path writePack = null;
        Path fromPack = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--no-warm-start")) {
                config = config.withWarmStartHead(false);
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--json" -> json = Path.of(value);
                case "--write-pack" -> writePack = Path.of(value);
                case "--from-pack" -> fromPack = Path.of(value);
                case "--techniques" -> config = config.withTechniques(List.of(value.split(",")));
                case "--train" -> config = config.withSizes(parse(flag, value), config.testExamples(), config.sourceExamples());
                case "--test" -> config = config.withSizes(config.trainExamples(), parse(flag, value), config.sourceExamples());
                case "--source-examples" -> config = config.withSizes(config.trainExamples(), config.testExamples(),
                        parse(flag, value));
                case "--epochs" -> config = config.withTraining(parse(flag, value), config.batchSize(), config.maxTokens());
                case "--batch" -> config = config.withTraining(config.epochs(), parse(flag, value), config.maxTokens());
                case "--max-tokens" -> config = config.withTraining(config.epochs(), config.batchSize(), parse(flag, value));
                case "--seed" -> config = config.withSeed(parse(flag, value));
                default -> throw new IllegalArgumentException("unknown option " + flag + "; options: --json FILE, "
                        + "--techniques a,b, --train N, --test N, --source-examples N, --epochs N, --batch N, "
                        + "--max-tokens N, --seed N, --no-warm-start, --write-pack DIR, --from-pack DIR");
            }
        }
        if (writePack != null) {
            PeftPack.write(writePack, config, PeftCorpusInputs.load(config), System.err::println);
            System.out.println("wrote " + writePack);
            return;
        }
        Result result;
        if (fromPack != null) {
            PeftPack pack = PeftPack.read(fromPack, config);
            result = run(pack.config(), pack.weights(), pack.backboneId(), pack.inputs(), System.err::println);
        } else {
            result = run(config, System.err::println);
        }
        System.out.print(result.table());
        if (json != null) {
            try {
                Files.writeString(json, result.toJson());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + json, e);
            }
            System.out.println("wrote " + json);
        }
    }

    private static int parse(String flag, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + flag + " needs an integer, got '" + value + "'");
        }
    }

    /** The benchmark on the SpamAssassin corpus with the backbone's own ONNX weights. */
    public static Result run(PeftBenchmarkConfig config, Consumer<String> progress) {
        Backbone backbone = BackboneRegistry.standard().byId(MiniLmL6V2Provider.ID);
        long start = System.nanoTime();
        EncoderWeights weights = EncoderWeights.load(backbone, MiniLmEncoder.MINILM_HEADS);
        progress.accept(String.format(Locale.ROOT, "encoder weights imported from ONNX in %.1f s", seconds(start)));
        return run(config, weights, backbone.id(), PeftCorpusInputs.load(config), progress);
    }

    /**
     * The benchmark on already tokenized inputs: what a GPU node without the tokenizer, the corpora
     * or the ONNX file runs from a {@link PeftPack}. Arrays live on the engine's default device.
     */
    public static Result run(PeftBenchmarkConfig config, EncoderWeights weights, String backboneId, PeftInputs inputs,
                             Consumer<String> progress) {
        List<String> labels = inputs.train().labelNames();
        Map<String, TechniqueResult> results = new LinkedHashMap<>();
        List<String> sourceTasks = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            MiniLmEncoder encoder = MiniLmEncoder.fromWeights(weights, backboneId, manager);
            String device = manager.getDevice().toString();
            progress.accept(String.format(Locale.ROOT, "encoder on %s (%d weights)", device, encoder.parameterCount()));
            TokenSet trainSet = inputs.train();
            TokenSet testSet = inputs.test();
            HeadSpec headSpec = HeadSpec.linear(encoder.architecture().hidden());

            List<NamedTensor> headOnly = null;
            // the baseline, and the starting head of every other technique when warm-starting
            if (config.techniques().contains(HEAD) || config.warmStartHead()) {
                HeadOutcome outcome = trainHeadOnly(config, encoder, headSpec, trainSet, testSet, progress);
                headOnly = outcome.tensors();
                if (config.techniques().contains(HEAD)) {
                    results.put(HEAD, outcome.result());
                }
            }
            SourcePrompts sources = null;
            if (config.techniques().contains(AttemptTechnique.ID)) {
                sources = trainSourcePrompts(config, encoder, inputs.sources(), progress);
                sourceTasks.addAll(sources.names());
            }
            for (String id : config.techniques()) {
                if (id.equals(HEAD)) {
                    continue;
                }
                Map<Class<?>, Object> resources = new LinkedHashMap<>();
                resources.put(MiniLmEncoder.class, encoder);
                if (sources != null) {
                    resources.put(SourcePrompts.class, sources);
                }
                TechniqueSpec spec = new TechniqueSpec(id, headSpec,
                        Map.of(PeftOptions.MAX_TOKENS, Integer.toString(config.maxTokens())));
                TechniqueContext context = new TechniqueContext(spec, labels.size(), manager, resources);
                results.put(id, trainAndTest(config, Techniques.byId(id), context, config.learningRates().get(id),
                        config.warmStartHead() ? headOnly : null, trainSet, testSet, progress));
                progress.accept(String.format(Locale.ROOT, "[%s] test macro-F1 %.4f", id, results.get(id).testMacroF1()));
            }
            return new Result(config, encoder.parameterCount(), results, sourceTasks, device);
        }
    }

    private record HeadOutcome(TechniqueResult result, List<NamedTensor> tensors) {
    }

    /** Head-only: featurize once with the frozen encoder, then train the head on the pooled vectors. */
    private static HeadOutcome trainHeadOnly(PeftBenchmarkConfig config, MiniLmEncoder encoder, HeadSpec headSpec,
                                             TokenSet trainSet, TokenSet testSet, Consumer<String> progress) {
        long start = System.nanoTime();
        float[][] trainFeatures = featurize(encoder, trainSet, config.maxTokens());
        float[][] testFeatures = featurize(encoder, testSet, config.maxTokens());
        double featurizeSeconds = seconds(start);
        progress.accept(String.format(Locale.ROOT, "[head] featurized %d texts in %.1f s (%.1f texts/s, frozen encoder)",
                trainSet.size() + testSet.size(), featurizeSeconds, (trainSet.size() + testSet.size()) / featurizeSeconds));
        Technique technique = Techniques.byId(HEAD);
        int labelCount = trainSet.labelNames().size();
        try (NDManager manager = encoder.manager().newSubManager();
                TrainableModel model = technique.create(new TechniqueContext(TechniqueSpec.headOnly(headSpec), labelCount,
                        manager), new DeterministicRandom(config.seed()));
                AdamOptimizer optimizer = new AdamOptimizer(manager, config.headLearningRate())) {
            DeterministicRandom rng = new DeterministicRandom(config.seed() + 1);
            long trainStart = System.nanoTime();
            int steps = 0;
            for (int epoch = 0; epoch < config.headEpochs(); epoch++) {
                int[] order = TokenBatches.shuffled(trainSet.size(), rng);
                for (int from = 0; from < order.length; from += config.batchSize()) {
                    int[] rows = Arrays.copyOfRange(order, from, Math.min(order.length, from + config.batchSize()));
                    float[][] features = new float[rows.length][];
                    for (int i = 0; i < rows.length; i++) {
                        features[i] = trainFeatures[rows[i]];
                    }
                    TrainingBatch batch = new TrainingBatch(BatchInput.PooledFeatures.of(features),
                            TokenBatches.pick(trainSet.labels(), rows), TokenBatches.ones(rows.length));
                    try (NDManager step = manager.newSubManager()) {
                        optimizer.update(model.trainableParameters(), model.lossAndGradients(batch, step, rng).gradients());
                    }
                    steps++;
                }
            }
            double trainSeconds = seconds(trainStart);
            int[] predicted = new int[testSet.size()];
            try (NDManager step = manager.newSubManager()) {
                NDArray logits = model.logits(BatchInput.PooledFeatures.of(testFeatures), step);
                long[] best = HostReadback.longs(logits.argMax(1));
                for (int i = 0; i < best.length; i++) {
                    predicted[i] = (int) best[i];
                }
            }
            double f1 = macroF1(testSet.labels(), predicted, labelCount);
            progress.accept(String.format(Locale.ROOT, "[head] %d epochs in %.1f s, test macro-F1 %.4f",
                    config.headEpochs(), trainSeconds, f1));
            TechniqueResult result = new TechniqueResult(f1, model.trainableParameterCount(),
                    (double) model.trainableParameterCount() / encoder.parameterCount(),
                    (double) trainSet.size() * config.headEpochs() / trainSeconds, trainSeconds, steps);
            return new HeadOutcome(result, model.exportTensors());
        }
    }

    /** Frozen pooled embeddings, in batches sorted by length. */
    private static float[][] featurize(MiniLmEncoder encoder, TokenSet set, int maxTokens) {
        float[][] features = new float[set.size()][];
        Integer[] order = TokenBatches.byLength(set);
        for (int from = 0; from < order.length; from += EVAL_BATCH) {
            Integer[] rows = Arrays.copyOfRange(order, from, Math.min(order.length, from + EVAL_BATCH));
            PaddedTokens tokens = PaddedTokens.of(TokenBatches.pickRows(set.ids(), rows), TokenBatches.pickRows(set.mask(), rows), maxTokens);
            try (NDManager step = encoder.manager().newSubManager()) {
                NDArray mask = tokens.maskArray(step);
                NDArray pooled = MiniLmEncoder.l2Normalize(MiniLmEncoder.meanPool(
                        encoder.forward(encoder.wordEmbeddings(tokens.idsArray(step)), mask, EncoderAdapter.NONE), mask));
                float[] flat = HostReadback.floats(pooled);
                int hidden = encoder.architecture().hidden();
                for (int i = 0; i < rows.length; i++) {
                    features[rows[i]] = Arrays.copyOfRange(flat, i * hidden, (i + 1) * hidden);
                }
            }
        }
        return features;
    }

    /** Prompt-tunes one prompt per source task; they become ATTEMPT's frozen source prompts. */
    private static SourcePrompts trainSourcePrompts(PeftBenchmarkConfig config, MiniLmEncoder encoder,
                                                    Map<String, TokenSet> tasks, Consumer<String> progress) {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("ATTEMPT needs source tasks, the inputs hold none");
        }
        int sourceTokens = PeftCorpusInputs.sourceTokens(config);
        List<NamedTensor> prompts = new ArrayList<>();
        for (Map.Entry<String, TokenSet> task : tasks.entrySet()) {
            TokenSet set = task.getValue();
            List<String> labels = set.labelNames();
            TechniqueSpec spec = new TechniqueSpec(PromptTuningTechnique.ID,
                    HeadSpec.linear(encoder.architecture().hidden()),
                    Map.of(PeftOptions.MAX_TOKENS, Integer.toString(sourceTokens)));
            try (NDManager manager = encoder.manager().newSubManager()) {
                TechniqueContext context = new TechniqueContext(spec, labels.size(), manager,
                        Map.of(MiniLmEncoder.class, encoder));
                String name = task.getKey() + "@prompt";
                try (TrainableModel model = Techniques.byId(PromptTuningTechnique.ID).create(context,
                        sourceSeed(config, prompts.size()))) {
                    train(config, model, config.learningRates().getOrDefault(PromptTuningTechnique.ID, 3e-2f), set,
                            "source " + task.getKey() + " (" + labels.size() + " labels)", progress);
                    NamedTensor prompt = model.exportTensors().get(0);
                    prompts.add(new NamedTensor(name, prompt.shape(), prompt.valuesView()));
                }
            }
        }
        return new SourcePrompts(prompts);
    }

    /** The generator that initialises source task {@code index}'s prompt (a pack needs its vocabulary draws). */
    static DeterministicRandom sourceSeed(PeftBenchmarkConfig config, int index) {
        return new DeterministicRandom(config.seed() + index + 100);
    }

    private static TechniqueResult trainAndTest(PeftBenchmarkConfig config, Technique technique, TechniqueContext context,
                                                float learningRate, List<NamedTensor> warmHead, TokenSet trainSet,
                                                TokenSet testSet, Consumer<String> progress) {
        TrainableModel model = technique.create(context, new DeterministicRandom(config.seed()));
        if (warmHead != null) {
            List<NamedTensor> tensors = new ArrayList<>(model.exportTensors());
            int own = tensors.size() - warmHead.size();
            for (int i = 0; i < warmHead.size(); i++) {
                tensors.set(own + i, warmHead.get(i));
            }
            model.close();
            model = technique.fromTensors(context, tensors);
        }
        try (TrainableModel trained = model) {
            TrainStats stats = train(config, trained, learningRate, trainSet, technique.id(), progress);
            int[] predicted = predict(trained, testSet, ((EncoderClassifier) trained).maxTokens());
            double f1 = macroF1(testSet.labels(), predicted, trainSet.labelNames().size());
            EncoderClassifier classifier = (EncoderClassifier) trained;
            return new TechniqueResult(f1, trained.trainableParameterCount(), classifier.trainableFraction(),
                    stats.examples() / stats.seconds(), stats.seconds(), stats.steps());
        }
    }

    private record TrainStats(long examples, double seconds, int steps) {
    }

    /**
     * Adam on the technique's tensors at {@code learningRate} and on the head at the head rate,
     * for the configured epochs over length-bucketed batches, with a progress line every 10 s.
     */
    private static TrainStats train(PeftBenchmarkConfig config, TrainableModel model, float learningRate, TokenSet set,
                                    String name, Consumer<String> progress) {
        int headTensors = 2;
        DeterministicRandom rng = new DeterministicRandom(config.seed() + 7);
        List<int[]> plan = new ArrayList<>();
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            plan.addAll(TokenBatches.bucketedBatches(set, config.batchSize(), BUCKET_BATCHES, rng));
        }
        long examples = 0;
        long start = System.nanoTime();
        long lastReport = start;
        double recentLoss = 0;
        int recentSteps = 0;
        try (NDManager optimizerManager = model.manager().getParentManager().newSubManager();
                AdamOptimizer own = new AdamOptimizer(optimizerManager, learningRate);
                AdamOptimizer head = new AdamOptimizer(optimizerManager, config.headLearningRate())) {
            for (int step = 0; step < plan.size(); step++) {
                int[] rows = plan.get(step);
                TrainingBatch batch = new TrainingBatch(new BatchInput.TokenIds(TokenBatches.pickRows(set.ids(), rows),
                        TokenBatches.pickRows(set.mask(), rows)), TokenBatches.pick(set.labels(), rows), TokenBatches.ones(rows.length));
                try (NDManager stepManager = model.manager().newSubManager()) {
                    TrainableModel.StepGradients result = model.lossAndGradients(batch, stepManager, rng);
                    NDList parameters = model.trainableParameters();
                    int split = parameters.size() - headTensors;
                    own.update(sub(parameters, 0, split), sub(result.gradients(), 0, split));
                    head.update(sub(parameters, split, parameters.size()),
                            sub(result.gradients(), split, parameters.size()));
                    recentLoss += result.loss();
                    recentSteps++;
                }
                examples += rows.length;
                long now = System.nanoTime();
                if (now - lastReport >= PROGRESS_EVERY_NANOS || step == plan.size() - 1) {
                    double elapsed = (now - start) / 1e9;
                    double rate = examples / elapsed;
                    long remaining = 0;
                    for (int later = step + 1; later < plan.size(); later++) {
                        remaining += plan.get(later).length;
                    }
                    progress.accept(String.format(Locale.ROOT, "[%s] step %d/%d, loss %.4f, %.1f examples/s, ETA %s",
                            name, step + 1, plan.size(), recentLoss / recentSteps, rate,
                            duration(remaining / Math.max(rate, 1e-9))));
                    recentLoss = 0;
                    recentSteps = 0;
                    lastReport = now;
                }
            }
        }
        return new TrainStats(examples, seconds(start), plan.size());
    }

    private static NDList sub(NDList list, int from, int to) {
        return new NDList(list.subList(from, to));
    }

    private static int[] predict(TrainableModel model, TokenSet set, int maxTokens) {
        int[] predicted = new int[set.size()];
        Integer[] order = TokenBatches.byLength(set);
        for (int from = 0; from < order.length; from += EVAL_BATCH) {
            Integer[] rows = Arrays.copyOfRange(order, from, Math.min(order.length, from + EVAL_BATCH));
            BatchInput.TokenIds input = new BatchInput.TokenIds(TokenBatches.pickRows(set.ids(), rows), TokenBatches.pickRows(set.mask(), rows));
            try (NDManager step = model.manager().newSubManager()) {
                long[] best = HostReadback.longs(model.logits(input, step).argMax(1));
                for (int i = 0; i < rows.length; i++) {
                    predicted[rows[i]] = (int) best[i];
                }
            }
        }
        return predicted;
    }

    /** Mean over labels of F1 (a label never predicted nor present counts as F1 = 0 only if present). */
    static double macroF1(int[] truth, int[] predicted, int labelCount) {
        double sum = 0;
        int counted = 0;
        for (int label = 0; label < labelCount; label++) {
            int tp = 0;
            int fp = 0;
            int fn = 0;
            for (int i = 0; i < truth.length; i++) {
                if (predicted[i] == label && truth[i] == label) {
                    tp++;
                } else if (predicted[i] == label) {
                    fp++;
                } else if (truth[i] == label) {
                    fn++;
                }
            }
            if (tp + fp + fn == 0) {
                continue;
            }
            sum += 2.0 * tp / (2.0 * tp + fp + fn);
            counted++;
        }
        return counted == 0 ? 0 : sum / counted;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String duration(double seconds) {
        long total = Math.round(seconds);
        return total >= 60 ? (total / 60) + "m" + String.format(Locale.ROOT, "%02d", total % 60) + "s" : total + "s";
    }
}
