package dev.streamtune.trainer;

import dev.streamtune.model.technique.TechniqueSpec;
import java.util.Objects;

/**
 * Settings of one {@link EncoderTrainer}.
 *
 * @param spec the technique, its head and its options ({@code max_tokens}, {@code prompt_length}, {@code lora_rank}, ...)
 * @param learningRate Adam learning rate of the technique's own tensors, in (0, 1]
 * @param headLearningRate Adam learning rate of the head, in (0, 1]
 * @param replayFraction share of each micro-batch drawn from the replay buffer, in [0, 0.9]
 * @param replayCapacityPerClass tokenized examples the replay buffer keeps per class
 * @param classWeighting weight the loss by inverse running class frequency
 * @param seed seeds initialisation, dropout and replay sampling
 * @param device {@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N}
 */
public record EncoderTrainerConfig(TechniqueSpec spec, float learningRate, float headLearningRate, float replayFraction,
        int replayCapacityPerClass, boolean classWeighting, long seed, String device) {

    public EncoderTrainerConfig {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(device, "device");
        requireRate("learningRate", learningRate);
        requireRate("headLearningRate", headLearningRate);
        // the replay and device limits are the head trainer's
        new TrainerConfig(spec.techniqueId(), spec.head().inputDim(), HeadConfig.linear(), OptimizerConfig.defaults(),
                replayFraction, replayCapacityPerClass, classWeighting, seed, device);
    }

    private static void requireRate(String field, float value) {
        if (!(value > 0f) || value > 1f) {
            throw new IllegalArgumentException(field + " must be in (0, 1], got " + value);
        }
    }
}
