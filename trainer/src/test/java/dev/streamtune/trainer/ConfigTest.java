package dev.streamtune.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.streamtune.model.head.HeadKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

class ConfigTest {
    private static final OptimizerConfig OPT = OptimizerConfig.defaults();

    @Test
    void optimizerFieldsAreCheckedWithTheirLimits() {
        assertThatThrownBy(() -> OPT.withLearningRate(0f)).hasMessageContaining("learningRate must be in [1.0E-8, 10.0]");
        assertThatThrownBy(() -> new OptimizerConfig(1e-3f, 1f, 0.999f, 1e-8f, 0f, 0, 10, DecaySchedule.LINEAR, 0f))
                .hasMessageContaining("beta1 must be in [0.0, 1.0)");
        assertThatThrownBy(() -> new OptimizerConfig(1e-3f, 0.9f, 0.999f, 1e-8f, -0.1f, 0, 10, DecaySchedule.LINEAR, 0f))
                .hasMessageContaining("weightDecay");
        assertThatThrownBy(() -> OPT.withSchedule(-1, 10, DecaySchedule.COSINE)).hasMessageContaining("warmupSteps");
        assertThatThrownBy(() -> OPT.withSchedule(0, 0, DecaySchedule.COSINE)).hasMessageContaining("decaySteps must be in [1,");
        assertThatThrownBy(() -> new OptimizerConfig(Float.NaN, 0.9f, 0.999f, 1e-8f, 0f, 0, 10, DecaySchedule.LINEAR, 0f))
                .hasMessageContaining("learningRate");
    }

    @Test
    void headFieldsAreCheckedWithTheirLimits() {
        assertThatThrownBy(() -> HeadConfig.mlp(0, 0.1f)).hasMessageContaining("hiddenSize must be in [1, 65536]");
        assertThatThrownBy(() -> HeadConfig.mlp(64, 1.5f)).hasMessageContaining("dropout must be in [0, 0.9]");
        assertThatThrownBy(() -> new HeadConfig(HeadKind.LINEAR, 0, 0.2f)).hasMessageContaining("dropout must be 0");
        assertThat(HeadConfig.mlp(64, 0.1f).toSpec(384).inputDim()).isEqualTo(384);
    }

    @Test
    void trainerFieldsAreCheckedWithTheirLimits() {
        TrainerConfig ok = TrainerConfig.headOnly(384, HeadConfig.linear());
        assertThatThrownBy(() -> ok.withReplay(0.95f, 10)).hasMessageContaining("replayFraction must be in [0, 0.9]");
        assertThatThrownBy(() -> ok.withReplay(0.5f, 0)).hasMessageContaining("replayCapacityPerClass must be at least 1");
        assertThatThrownBy(() -> ok.withReplay(0.1f, 2_000_000)).hasMessageContaining("[0, 1000000]");
        assertThatThrownBy(() -> ok.withDevice("tpu")).hasMessageContaining("device must be auto, cpu, gpu or gpu:N");
        assertThatThrownBy(() -> new TrainerConfig("head", 0, HeadConfig.linear(), OPT, 0f, 0, true, 1, "cpu"))
                .hasMessageContaining("inputDim must be in [1, 65536]");
    }

    @Test
    @Tag("model")
    void deviceOverrideIsHonoured() {
        TrainerConfig config = TrainerConfig.headOnly(4, HeadConfig.linear());
        assertThat(config.withDevice("cpu").resolveDevice()).isEqualTo(Device.cpu());
        assertThat(config.withDevice("gpu:1").resolveDevice()).isEqualTo(Device.gpu(1));
        // this machine has no usable GPU, so auto must fall back to the CPU
        assertThat(config.resolveDevice().isGpu()).isEqualTo(ai.djl.engine.Engine.getInstance().getGpuCount() > 0);
    }
}
