package dev.streamtune.evaluator.service;

import ai.djl.ndarray.NDManager;
import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.datasets.CorpusExample;
import dev.streamtune.datasets.LoadOptions;
import dev.streamtune.datasets.SpamAssassin;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.backbone.BackboneTokenizer;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.optim.AdamOptimizer;
import dev.streamtune.model.peft.AttemptTechnique;
import dev.streamtune.model.peft.SourcePrompts;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.DeterministicRandom;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSettings;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.model.technique.TrainableModel;
import dev.streamtune.model.technique.TrainingBatch;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Candidates of techniques that adapt the encoder, trained for a few Adam steps directly with the model module's API
 * (no trainer service) on real SpamAssassin emails cut to 32 tokens, and wrapped as {@code ModelVersion}s with inline
 * deltas on the real MiniLM base.
 */
final class TextCandidates implements AutoCloseable {
    static final int MAX_TOKENS = 32;
    static final List<String> LABELS = List.of("ham", "spam");

    private final Backbone backbone = BackboneRegistry.standard().byId(MiniLmL6V2Provider.ID);
    private final NDManager manager = NDManager.newBaseManager();
    private final MiniLmEncoder encoder = MiniLmEncoder.load(backbone, MiniLmEncoder.MINILM_HEADS, manager);
    private final BackboneTokenizer tokenizer = BackboneTokenizer.load(backbone, MAX_TOKENS);

    /**
     * Disjoint slices of SpamAssassin, each half ham and half spam: {@code train} emails to train on, validation and
     * test emails, and {@code fresh} ones that arrive as new training data later.
     */
    static Splits spamEmails(int train, int validation, int test, int fresh, long seed) {
        int total = train + validation + test + fresh;
        List<CorpusExample> all = new ArrayList<>(SpamAssassin.load(LoadOptions.truncatedTo(400))
                .balancedSample(total / 2 + 1, seed).examples());
        // balancedSample groups by label; interleave so every slice holds both classes
        List<CorpusExample> ham = all.stream().filter(e -> e.label().equals("ham")).toList();
        List<CorpusExample> spam = all.stream().filter(e -> e.label().equals("spam")).toList();
        List<CorpusExample> mixed = new ArrayList<>();
        for (int i = 0; mixed.size() < total; i++) {
            mixed.add(ham.get(i));
            mixed.add(spam.get(i));
        }
        int validationEnd = train + validation;
        int testEnd = validationEnd + test;
        return new Splits(mixed.subList(0, train), mixed.subList(train, validationEnd),
                mixed.subList(validationEnd, testEnd), mixed.subList(testEnd, total));
    }

    record Splits(List<CorpusExample> train, List<CorpusExample> validation, List<CorpusExample> test,
            List<CorpusExample> fresh) {
    }

    Backbone backbone() {
        return backbone;
    }

    static TechniqueSpec spec(String techniqueId, Map<String, String> options) {
        Map<String, String> settings = new LinkedHashMap<>(options);
        settings.put("max_tokens", Integer.toString(MAX_TOKENS));
        return TechniqueSettings.fromSettings(techniqueId, 384, settings);
    }

    /**
     * Trains {@code steps} Adam steps over {@code examples} in batches of {@code batchSize}, with labels as given
     * (pass shuffled ones for a useless challenger), and returns the delta.
     */
    Delta train(TechniqueSpec spec, List<CorpusExample> examples, int[] labels, int steps, int batchSize,
            float learningRate, long seed) {
        return train(spec, examples, labels, steps, batchSize, learningRate, seed, null);
    }

    /**
     * @param sources ATTEMPT's frozen source prompts, which its delta then carries
     *                ({@link TrainableModel#saveDelta()}); null for the other techniques
     */
    Delta train(TechniqueSpec spec, List<CorpusExample> examples, int[] labels, int steps, int batchSize,
            float learningRate, long seed, SourcePrompts sources) {
        TechniqueContext context = new TechniqueContext(spec, LABELS.size(), manager, sources == null
                ? Map.of(MiniLmEncoder.class, encoder)
                : Map.of(MiniLmEncoder.class, encoder, SourcePrompts.class, sources));
        try (TrainableModel model = Techniques.byId(spec.techniqueId()).create(context, new DeterministicRandom(seed));
                AdamOptimizer optimizer = new AdamOptimizer(manager, learningRate)) {
            DeterministicRandom rng = new DeterministicRandom(seed + 1);
            for (int step = 0; step < steps; step++) {
                int from = (step * batchSize) % examples.size();
                List<String> texts = new ArrayList<>();
                int[] batchLabels = new int[batchSize];
                for (int r = 0; r < batchSize; r++) {
                    int i = (from + r) % examples.size();
                    texts.add(examples.get(i).text());
                    batchLabels[r] = labels[i];
                }
                float[] weights = new float[batchSize];
                Arrays.fill(weights, 1f);
                try (NDManager stepManager = model.manager().newSubManager()) {
                    optimizer.update(model.trainableParameters(), model.lossAndGradients(
                            new TrainingBatch(tokens(texts), batchLabels, weights), stepManager, rng).gradients());
                }
            }
            for (NamedTensor tensor : model.exportTensors()) {
                for (float value : tensor.valuesView()) {
                    if (!Float.isFinite(value)) {
                        throw new AssertionError("training diverged: tensor '" + tensor.name() + "' holds " + value);
                    }
                }
            }
            return model.saveDelta();
        }
    }

    /** Two stand-in source prompts of {@code length} positions: values of the size of word-piece vectors. */
    static SourcePrompts sourcePrompts(int length) {
        List<NamedTensor> prompts = new ArrayList<>();
        for (String name : List.of("fortune@v3", "wordnet@v1")) {
            DeterministicRandom rng = new DeterministicRandom(name.hashCode());
            float[] values = new float[length * 384];
            for (int i = 0; i < values.length; i++) {
                values[i] = (rng.nextFloat() - 0.5f) * 0.1f;
            }
            prompts.add(new NamedTensor(name, new long[] {length, 384}, values));
        }
        return new SourcePrompts(prompts);
    }

    static int[] labelIndexes(List<CorpusExample> examples) {
        return examples.stream().mapToInt(e -> LABELS.indexOf(e.label())).toArray();
    }

    ModelVersion version(String task, long number, TechniqueSpec spec, Delta delta, long examplesSeen) {
        return ModelVersion.newBuilder().setTask(task).setVersion(number)
                .setParentVersion(number > 1 ? number - 1 : null)
                .setTechnique(spec.techniqueId()).setHyperparameters(TechniqueSettings.toSettings(spec))
                .setBase(new BaseModel(backbone.id(), backbone.weightsSha256())).setLabels(LABELS)
                .setDelta(dev.streamtune.avro.Delta.newBuilder().setFormat(delta.format()).setSha256(delta.sha256())
                        .setSizeBytes(delta.size()).setInline(ByteBuffer.wrap(delta.bytes())).build())
                .setExamplesSeen(examplesSeen).setCreatedAt(Instant.parse("2026-11-26T10:00:00Z")).build();
    }

    private BatchInput.TokenIds tokens(List<String> texts) {
        return BatchInput.TokenIds.of(tokenizer.encodeAll(texts));
    }

    @Override
    public void close() {
        tokenizer.close();
        manager.close();
    }
}
