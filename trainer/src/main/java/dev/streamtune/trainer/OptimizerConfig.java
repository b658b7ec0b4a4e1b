package dev.streamtune.trainer;

import java.util.Objects;

/**
 * AdamW (decoupled weight decay, PyTorch's formulation) with linear warm-up then decay.
 *
 * @param learningRate peak learning rate, reached at the end of warm-up
 * @param warmupSteps steps of linear warm-up from 0 to the peak
 * @param decaySteps steps after warm-up over which the rate decays to {@code minLearningRateRatio * peak};
 *     after that it stays there (a stream does not end)
 */
public record OptimizerConfig(float learningRate, float beta1, float beta2, float epsilon, float weightDecay,
        int warmupSteps, long decaySteps, DecaySchedule schedule, float minLearningRateRatio) {

    public OptimizerConfig {
        Objects.requireNonNull(schedule, "schedule");
        requireRange("learningRate", learningRate, 1e-8, 10, false);
        requireRange("beta1", beta1, 0, 1, true);
        requireRange("beta2", beta2, 0, 1, true);
        requireRange("epsilon", epsilon, 1e-12, 1, false);
        requireRange("weightDecay", weightDecay, 0, 1, false);
        requireRange("minLearningRateRatio", minLearningRateRatio, 0, 1, false);
        if (warmupSteps < 0 || warmupSteps > 10_000_000) {
            throw new IllegalArgumentException("warmupSteps must be in [0, 10000000], got " + warmupSteps);
        }
        if (decaySteps < 1 || decaySteps > 1_000_000_000_000L) {
            throw new IllegalArgumentException("decaySteps must be in [1, 1000000000000], got " + decaySteps);
        }
    }

    private static void requireRange(String field, float value, double min, double max, boolean maxExclusive) {
        boolean ok = value >= min && (maxExclusive ? value < max : value <= max);
        if (!ok) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + (maxExclusive ? ")" : "]")
                    + ", got " + value);
        }
    }

    /** lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01, 100 warm-up steps, cosine decay over 10,000. */
    public static OptimizerConfig defaults() {
        return new OptimizerConfig(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 100, 10_000, DecaySchedule.COSINE, 0.1f);
    }

    public OptimizerConfig withLearningRate(float newLearningRate) {
        return new OptimizerConfig(newLearningRate, beta1, beta2, epsilon, weightDecay, warmupSteps, decaySteps,
                schedule, minLearningRateRatio);
    }

    public OptimizerConfig withSchedule(int newWarmupSteps, long newDecaySteps, DecaySchedule newSchedule) {
        return new OptimizerConfig(learningRate, beta1, beta2, epsilon, weightDecay, newWarmupSteps, newDecaySteps,
                newSchedule, minLearningRateRatio);
    }

    /** The learning rate for the update with zero-based index {@code step}. */
    public float learningRateAt(long step) {
        if (step < warmupSteps) {
            return learningRate * (step + 1) / (warmupSteps + 1);
        }
        double floor = learningRate * (double) minLearningRateRatio;
        double progress = Math.min(1.0, (step - warmupSteps) / (double) decaySteps);
        double rate = switch (schedule) {
            case CONSTANT -> learningRate;
            case LINEAR -> learningRate - (learningRate - floor) * progress;
            case COSINE -> floor + (learningRate - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
        };
        return (float) rate;
    }
}
