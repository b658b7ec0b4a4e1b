package dev.streamtune.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of one trainer.
 *
 * @param techniqueId technique plugin id ({@code head} for head-only)
 * @param inputDim width of the pooled embedding
 * @param replayFraction share of each micro-batch drawn from the replay buffer, in [0, 0.9];
 *     0.25 with 32 new examples adds 11 replayed ones
 * @param replayCapacityPerClass examples the replay buffer keeps per class
 * @param classWeighting weight the loss by inverse running class frequency
 * @param seed seeds initialisation, dropout and replay sampling
 * @param device {@code auto} (GPU when DJL sees one, else CPU), {@code cpu}, {@code gpu} or {@code gpu:N}
 */
public record TrainerConfig(String techniqueId, int inputDim, HeadConfig head, OptimizerConfig optimizer,
        float replayFraction, int replayCapacityPerClass, boolean classWeighting, long seed, String device) {

    public static final int MAX_REPLAY_CAPACITY_PER_CLASS = 1_000_000;
    public static final float MAX_REPLAY_FRACTION = 0.9f;
    private static final Pattern DEVICE = Pattern.compile("auto|cpu|gpu(:\\d{1,3})?");

    public TrainerConfig {
        Objects.requireNonNull(techniqueId, "techniqueId");
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(device, "device");
        if (techniqueId.isBlank()) {
            throw new IllegalArgumentException("techniqueId must not be blank");
        }
        if (inputDim < 1 || inputDim > 65_536) {
            throw new IllegalArgumentException("inputDim must be in [1, 65536], got " + inputDim);
        }
        if (!(replayFraction >= 0f && replayFraction <= MAX_REPLAY_FRACTION)) {
            throw new IllegalArgumentException("replayFraction must be in [0, " + MAX_REPLAY_FRACTION + "], got "
                    + replayFraction);
        }
        if (replayCapacityPerClass < 0 || replayCapacityPerClass > MAX_REPLAY_CAPACITY_PER_CLASS) {
            throw new IllegalArgumentException("replayCapacityPerClass must be in [0, " + MAX_REPLAY_CAPACITY_PER_CLASS
                    + "], got " + replayCapacityPerClass);
        }
        if (replayFraction > 0f && replayCapacityPerClass == 0) {
            throw new IllegalArgumentException("replayCapacityPerClass must be at least 1 when replayFraction > 0");
        }
        if (!DEVICE.matcher(device).matches()) {
            throw new IllegalArgumentException("device must be auto, cpu, gpu or gpu:N, got '" + device + "'");
        }
    }

    /** Head-only training with default optimizer, 25% replay of up to 1,000 examples per class, class weighting on. */
    public static TrainerConfig headOnly(int inputDim, HeadConfig head) {
        return new TrainerConfig("head", inputDim, head, OptimizerConfig.defaults(), 0.25f, 1_000, true, 42L, "auto");
    }

    public TrainerConfig withOptimizer(OptimizerConfig newOptimizer) {
        return new TrainerConfig(techniqueId, inputDim, head, newOptimizer, replayFraction, replayCapacityPerClass,
                classWeighting, seed, device);
    }

    public TrainerConfig withReplay(float newReplayFraction, int newCapacityPerClass) {
        return new TrainerConfig(techniqueId, inputDim, head, optimizer, newReplayFraction, newCapacityPerClass,
                classWeighting, seed, device);
    }

    public TrainerConfig withClassWeighting(boolean enabled) {
        return new TrainerConfig(techniqueId, inputDim, head, optimizer, replayFraction, replayCapacityPerClass,
                enabled, seed, device);
    }

    public TrainerConfig withSeed(long newSeed) {
        return new TrainerConfig(techniqueId, inputDim, head, optimizer, replayFraction, replayCapacityPerClass,
                classWeighting, newSeed, device);
    }

    public TrainerConfig withDevice(String newDevice) {
        return new TrainerConfig(techniqueId, inputDim, head, optimizer, replayFraction, replayCapacityPerClass,
                classWeighting, seed, newDevice);
    }

    /** The device to train on; {@code auto} asks DJL, which picks a GPU when one is visible. */
    public Device resolveDevice() {
        return resolveDevice(device);
    }

    /** {@code auto} (GPU when DJL sees one), {@code cpu}, {@code gpu} or {@code gpu:N} as a DJL device. */
    public static Device resolveDevice(String device) {
        if (!DEVICE.matcher(device).matches()) {
            throw new IllegalArgumentException("device must be auto, cpu, gpu or gpu:N, got '" + device + "'");
        }
        return switch (device) {
            case "auto" -> Engine.getInstance().defaultDevice();
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            default -> Device.gpu(Integer.parseInt(device.substring("gpu:".length())));
        };
    }
}
