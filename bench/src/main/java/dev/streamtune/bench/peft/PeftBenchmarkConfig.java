package dev.streamtune.bench.peft;

import dev.streamtune.model.peft.*;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link PeftBenchmark} runs.
 *
 * @param techniques         technique ids to compare, in order; {@code head} (head-only on frozen features) is the baseline
 * @param trainExamples      SpamAssassin training examples (stratified sample)
 * @param testExamples       held-out test examples (same sample, disjoint)
 * @param epochs             passes over the training examples for each technique that runs the encoder
 * @param headEpochs         passes for head-only training on precomputed features (cheap, so more)
 * @param batchSize          examples per training step
 * @param maxTokens          longest input, special tokens included
 * @param sourceExamples     examples per ATTEMPT source task (fortune categories, WordNet senses)
 * @param learningRates      Adam learning rate of each technique's own tensors, by id
 * @param headLearningRate   Adam learning rate of the head, for every technique
 * @param warmStartHead      start every technique's head from the trained head-only head (linear probe, then fine-tune)
 * @param seed               sampling, shuffling and initialisation
 */
public record PeftBenchmarkConfig(List<String> techniques, int trainExamples, int testExamples, int epochs,
                                  int headEpochs, int batchSize, int maxTokens, int sourceExamples,
                                  Map<String, Float> learningRates, float headLearningRate, boolean warmStartHead,
                                  long seed) {

    public static final List<String> ALL_TECHNIQUES = List.of("head", PromptTuningTechnique.ID, LoraTechnique.ID,
            BitFitTechnique.ID, UnfreezeTechnique.ID, AttemptTechnique.ID);
    public static final Map<String, Float> DEFAULT_LEARNING_RATES = Map.of(
            PromptTuningTechnique.ID, PromptTuningTechnique.DEFAULT_LEARNING_RATE,
            AttemptTechnique.ID, AttemptTechnique.DEFAULT_LEARNING_RATE,
            LoraTechnique.ID, LoraTechnique.DEFAULT_LEARNING_RATE,
            BitFitTechnique.ID, BitFitTechnique.DEFAULT_LEARNING_RATE,
            UnfreezeTechnique.ID, UnfreezeTechnique.DEFAULT_LEARNING_RATE);
    private static final int MAX_EXAMPLES = 6_046;

    public PeftBenchmarkConfig {
        techniques = List.copyOf(Objects.requireNonNull(techniques, "techniques"));
        learningRates = Map.copyOf(Objects.requireNonNull(learningRates, "learningRates"));
        if (techniques.isEmpty()) {
            throw new IllegalArgumentException("techniques must name at least one of " + ALL_TECHNIQUES);
        }
        if (!Set.copyOf(ALL_TECHNIQUES).containsAll(techniques)) {
            throw new IllegalArgumentException("techniques must be among " + ALL_TECHNIQUES + ", got " + techniques);
        }
        requireRange("trainExamples", trainExamples, 2, MAX_EXAMPLES);
        requireRange("testExamples", testExamples, 2, MAX_EXAMPLES - trainExamples);
        requireRange("epochs", epochs, 1, 1000);
        requireRange("headEpochs", headEpochs, 1, 10_000);
        requireRange("batchSize", batchSize, 1, 4096);
        requireRange("maxTokens", maxTokens, 8, 512 - PromptTuningTechnique.DEFAULT_PROMPT_LENGTH);
        requireRange("sourceExamples", sourceExamples, 6, 12_000);
        for (String id : techniques) {
            if (!id.equals("head")) {
                Float rate = learningRates.get(id);
                if (rate == null || !(rate > 0f) || rate > 1f) {
                    throw new IllegalArgumentException("learningRates must give technique '" + id
                            + "' a rate in (0, 1], got " + rate);
                }
            }
        }
        if (!(headLearningRate > 0f) || headLearningRate > 1f) {
            throw new IllegalArgumentException("headLearningRate must be in (0, 1], got " + headLearningRate);
        }
    }

    /**
     * Every technique on 256 training and 256 test emails, two epochs, 128 tokens, batches of 16,
     * 96 examples per ATTEMPT source task: about 17 minutes on a shared 2-core machine, inside the
     * 45-minute budget with room for slower hardware.
     */
    public static PeftBenchmarkConfig defaults() {
        return new PeftBenchmarkConfig(ALL_TECHNIQUES, 256, 256, 2, 30, 16, 128, 96, DEFAULT_LEARNING_RATES,
                1e-2f, true, 42L);
    }

    public PeftBenchmarkConfig withTechniques(List<String> ids) {
        return new PeftBenchmarkConfig(ids, trainExamples, testExamples, epochs, headEpochs, batchSize, maxTokens,
                sourceExamples, learningRates, headLearningRate, warmStartHead, seed);
    }

    public PeftBenchmarkConfig withSizes(int train, int test, int sources) {
        return new PeftBenchmarkConfig(techniques, train, test, epochs, headEpochs, batchSize, maxTokens, sources,
                learningRates, headLearningRate, warmStartHead, seed);
    }

    public PeftBenchmarkConfig withTraining(int newEpochs, int newBatchSize, int newMaxTokens) {
        return new PeftBenchmarkConfig(techniques, trainExamples, testExamples, newEpochs, headEpochs, newBatchSize,
                newMaxTokens, sourceExamples, learningRates, headLearningRate, warmStartHead, seed);
    }

    public PeftBenchmarkConfig withWarmStartHead(boolean warm) {
        return new PeftBenchmarkConfig(techniques, trainExamples, testExamples, epochs, headEpochs, batchSize,
                maxTokens, sourceExamples, learningRates, headLearningRate, warm, seed);
    }

    public PeftBenchmarkConfig withSeed(long newSeed) {
        return new PeftBenchmarkConfig(techniques, trainExamples, testExamples, epochs, headEpochs, batchSize,
                maxTokens, sourceExamples, learningRates, headLearningRate, warmStartHead, newSeed);
    }

    private static void requireRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", was " + value);
        }
    }
}
