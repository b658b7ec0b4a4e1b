package dev.streamtune.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

/** The learning-rate schedule the trainers feed the optimizer step by step; loads no model. */
class OptimizerScheduleTest {

    @Test
    void scheduleWarmsUpThenDecays() {
        OptimizerConfig cosine = OptimizerConfig.defaults().withSchedule(10, 100, DecaySchedule.COSINE);
        assertThat(cosine.learningRateAt(0)).isCloseTo(1e-3f / 11, offset(1e-9f));
        assertThat(cosine.learningRateAt(10)).isCloseTo(1e-3f, offset(1e-9f));
        assertThat(cosine.learningRateAt(60)).isCloseTo(1e-3f * (0.1f + 0.9f * 0.5f), offset(1e-8f));
        assertThat(cosine.learningRateAt(110)).isCloseTo(1e-4f, offset(1e-9f));
        assertThat(cosine.learningRateAt(5_000)).isCloseTo(1e-4f, offset(1e-9f));
        OptimizerConfig linear = cosine.withSchedule(0, 100, DecaySchedule.LINEAR);
        assertThat(linear.learningRateAt(50)).isCloseTo(1e-3f * 0.55f, offset(1e-8f));
    }
}
