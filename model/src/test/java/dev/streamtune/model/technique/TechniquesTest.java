package dev.streamtune.model.technique;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.streamtune.model.head.HeadSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

@Tag("model")
class TechniquesTest {
    @Test
    void serviceLoaderFindsHeadOnly() {
        Technique technique = Techniques.byId("head");
        assertThat(technique).isInstanceOf(HeadOnlyTechnique.class);
        assertThat(technique.inputKind()).isEqualTo(BatchInput.InputKind.POOLED_FEATURES);
        assertThat(technique.trainableParameterCount(TechniqueSpec.headOnly(HeadSpec.mlp(384, 128, 0.1f)), 2))
                .isEqualTo(384 * 128 + 128 + 128 * 2 + 2);
    }

    @Test
    void unknownTechniqueListsAvailable() {
        // "lora" is a registered plugin now (package peft); ask for an id nobody provides
        assertThatThrownBy(() -> Techniques.byId("no-such-technique"))
                .hasMessageContaining("unknown technique 'no-such-technique'")
                .hasMessageContaining("head").hasMessageContaining("lora");
    }

    @Test
    void headOnlyRefusesTokenIdsAndRoundTripsItsDelta() {
        Technique technique = Techniques.byId("head");
        TechniqueSpec spec = TechniqueSpec.headOnly(HeadSpec.linear(3));
        try (NDManager manager = NDManager.newBaseManager();
                TrainableModel model = technique.create(new TechniqueContext(spec, 2, manager), new DeterministicRandom(4));
                NDManager step = manager.newSubManager()) {
            TrainingBatch tokens = new TrainingBatch(new BatchInput.TokenIds(new int[][] {{1, 2}}, new int[][] {{1, 1}}),
                    new int[] {0}, new float[] {1});
            assertThatThrownBy(() -> model.lossAndGradients(tokens, step, new DeterministicRandom(1)))
                    .hasMessageContaining("pooled features").hasMessageContaining("TOKEN_IDS");
            try (TrainableModel loaded = technique.loadDelta(new TechniqueContext(spec, 2, manager), model.saveDelta())) {
                assertThat(loaded.exportTensors()).isEqualTo(model.exportTensors());
            }
        }
    }

    @Test
    void randomStateResumesTheSequence() {
        DeterministicRandom first = new DeterministicRandom(42);
        first.nextLong();
        first.nextGaussian();
        DeterministicRandom resumed = new DeterministicRandom(first.state());
        for (int i = 0; i < 100; i++) {
            assertThat(resumed.nextLong()).isEqualTo(first.nextLong());
        }
        assertThatThrownBy(() -> first.nextLong(0)).hasMessageContaining("bound");
    }
}
