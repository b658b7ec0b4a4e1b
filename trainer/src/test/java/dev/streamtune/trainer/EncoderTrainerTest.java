package dev.streamtune.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.head.HeadSpec;
import dev.streamtune.model.technique.TechniqueSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/** The encoder trainer on the real MiniLM weights: exact continuation from a checkpoint, label growth. */
@Tag("model")
class EncoderTrainerTest {
    private static final Backbone BACKBONE = BackboneRegistry.standard().byId("all-MiniLM-L6-v2");
    private static final String[] TEXTS = {"win a free prize now", "meeting moved to friday", "cheap pills online",
        "lunch at noon?", "claim your reward today", "the report is attached", "limited offer click here",
        "see you at the standup"};

    private static EncoderTrainerConfig config(String technique, Map<String, String> options) {
        return new EncoderTrainerConfig(new TechniqueSpec(technique, HeadSpec.linear(384), options), 2e-2f, 2e-2f,
                0.3f, 4, true, 11L, "cpu");
    }

    private static List<TrainingExample> batch(EncoderTrainer trainer, int from) {
        List<TrainingExample> rows = new ArrayList<>();
        for (int i = from; i < from + 4; i++) {
            rows.add(TrainingExample.tokens(trainer.tokenize(TEXTS[i % TEXTS.length]), i % 2, 1f));
        }
        return rows;
    }

    @Test
    void loraStepsAfterACheckpointRoundTripEqualTheSameStepsStraight() throws Exception {
        EncoderTrainerConfig config = config("lora", Map.of("max_tokens", "16", "lora_rank", "2"));
        List<NamedTensor> straight;
        TrainerState checkpoint;
        try (EncoderTrainer trainer = EncoderTrainer.create(config, BACKBONE, List.of("spam", "ham"), Map.of())) {
            assertThat(trainer.maxTokens()).isEqualTo(16);
            assertThat(trainer.trainableFraction().orElseThrow()).isLessThan(0.01);
            trainer.step(batch(trainer, 0));
            trainer.rehearse(4);
            // through the checkpoint codec, as a restart reads it
            checkpoint = CheckpointCodec.decode(CheckpointCodec.encode(trainer.snapshot(Map.of("examples.train-0", 4L))));
            trainer.step(batch(trainer, 4));
            trainer.rehearse(4);
            straight = trainer.snapshot(Map.of()).parameters();
        }
        assertThat(checkpoint.optimizer().steps()).isEqualTo(2);
        assertThat(checkpoint.optimizer().firstMoments()).hasSize(checkpoint.parameters().size() - 1);
        assertThat(checkpoint.replay().reservoirs()).isNotEmpty();
        try (EncoderTrainer resumed = EncoderTrainer.restore(config, BACKBONE, checkpoint, Map.of())) {
            assertThat(resumed.step()).isEqualTo(2);
            resumed.step(batch(resumed, 4));
            resumed.rehearse(4);
            List<NamedTensor> continued = resumed.snapshot(Map.of()).parameters();
            assertThat(continued).hasSameSizeAs(straight);
            for (int t = 0; t < straight.size(); t++) {
                float[] expected = straight.get(t).valuesView();
                float[] actual = continued.get(t).valuesView();
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).as("%s[%d]", straight.get(t).name(), i)
                            .isCloseTo(expected[i], Offset.offset(1e-6f));
                }
            }
            assertThat(continued.get(0).valuesView()).as("training moved the LoRA factors")
                    .isNotEqualTo(checkpoint.parameters().get(0).valuesView());
        }
    }

    @Test
    void promptTrainerGrowsItsLabelsAndRefusesRowsOverMaxTokens() {
        EncoderTrainerConfig config = config("prompt", Map.of("max_tokens", "12", "prompt_length", "3"));
        try (EncoderTrainer trainer = EncoderTrainer.create(config, BACKBONE, List.of("a", "b"), Map.of())) {
            trainer.step(batch(trainer, 0));
            assertThat(trainer.addLabel("c")).isEqualTo(2);
            assertThat(trainer.addLabel("a")).isZero();
            List<TrainingExample> rows = batch(trainer, 2);
            rows.add(TrainingExample.tokens(trainer.tokenize("a third kind"), 2, 1f));
            trainer.step(rows);
            assertThat(trainer.labels()).containsExactly("a", "b", "c");
            assertThat(trainer.probabilities(List.of("free prize"))[0]).hasSize(3);
            assertThat(trainer.delta().size()).isPositive();
            int[] tooLong = new int[13];
            java.util.Arrays.fill(tooLong, 1000);
            assertThatThrownBy(() -> trainer.step(List.of(TrainingExample.tokens(tooLong, 0, 1f))))
                    .hasMessageContaining("13 tokens").hasMessageContaining("max_tokens");
        }
    }

    @Test
    void headOnlyIsNotAnEncoderTechnique() {
        assertThatThrownBy(() -> EncoderTrainer.create(config("head", Map.of()), BACKBONE, List.of("a"), Map.of()))
                .hasMessageContaining("token ids");
    }
}
