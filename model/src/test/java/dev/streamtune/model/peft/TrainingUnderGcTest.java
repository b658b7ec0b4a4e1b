package dev.streamtune.model.peft;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.head.HeadSpec;
import dev.streamtune.model.technique.DeterministicRandom;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.model.technique.TrainableModel;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;

/**
 * Gradients stay finite while the garbage collector runs all the time. DJL's {@code x.div(2f)} makes a tensor over a
 * direct buffer for the number and closes it when the op returns; autograd keeps that tensor for the backward pass,
 * so a collection in between freed the buffer and the gradients came out NaN (first seen as a flaky evaluator test,
 * then every time with a collection every few milliseconds). The encoder, LoRA and ATTEMPT keep such scalars alive
 * in the step's manager ({@link MiniLmEncoder#constant}).
 */
@Tag("model")
class TrainingUnderGcTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lora", "prompt", "attempt"})
    void gradientsStayFiniteWhileTheCollectorRuns(String id) {
        Thread collector = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                System.gc();
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "gc-stress");
        collector.setDaemon(true);
        collector.start();
        TechniqueSpec spec = new TechniqueSpec(id, HeadSpec.linear(384), Map.of("max_tokens",
                Integer.toString(PeftFixture.MAX_TOKENS), "lora_rank", "4", "prompt_length", "20"));
        try (NDManager manager = NDManager.newBaseManager()) {
            TechniqueContext context = new TechniqueContext(spec, 2, manager, Map.of(MiniLmEncoder.class,
                    PeftFixture.encoder(), SourcePrompts.class, EncoderTechniquesTest.sourcePrompts()));
            try (TrainableModel model = Techniques.byId(id).create(context, new DeterministicRandom(1))) {
                DeterministicRandom rng = new DeterministicRandom(2);
                for (int step = 0; step < 6; step++) {
                    try (NDManager stepManager = model.manager().newSubManager()) {
                        TrainableModel.StepGradients result =
                                model.lossAndGradients(PeftFixture.batch(8 * (step % 2)), stepManager, rng);
                        for (int i = 0; i < result.gradients().size(); i++) {
                            float[] gradient = HostReadback.floats(result.gradients().get(i));
                            for (float value : gradient) {
                                assertThat(value).as("%s step %d gradient of %s", id, step,
                                        model.trainableParameters().get(i).getName()).isFinite();
                            }
                        }
                    }
                }
            }
        } finally {
            collector.interrupt();
        }
    }
}
