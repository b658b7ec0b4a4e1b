package dev.streamtune.model.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.TensorSpec;
import dev.streamtune.model.encoder.EncoderWeights;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.technique.DeterministicRandom;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * BitFit (Ben Zaken et al., 2022): every bias term of the encoder is trained (dense layers and
 * LayerNorms, about 0.1% of the weights), all else frozen. The delta holds the retrained biases
 * under the encoder's own names, starting from the pre-trained values.
 */
public final class BitFitTechnique extends EncoderTechnique {
    public static final String ID = "bitfit";

    /** Measured by the PEFT benchmark (bench module) on the bundled corpora. */
    public static final float DEFAULT_LEARNING_RATE = 2e-3f;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public float defaultLearningRate() {
        return DEFAULT_LEARNING_RATE;
    }

    @Override
    protected List<TensorSpec> adaptationSpecs(TechniqueSpec spec, EncoderShape shape) {
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(new TensorSpec(EncoderWeights.EMBEDDINGS_NORM + ".bias", new long[] {shape.hidden()}));
        for (int layer = 0; layer < shape.layers(); layer++) {
            for (String name : MiniLmEncoder.layerParameterNames(layer)) {
                if (name.endsWith(".bias")) {
                    long width = name.contains(MiniLmEncoder.Dense.INTERMEDIATE) ? shape.intermediate() : shape.hidden();
                    specs.add(new TensorSpec(name, new long[] {width}));
                }
            }
        }
        return specs;
    }

    @Override
    protected List<NamedTensor> initialTensors(TechniqueContext context, MiniLmEncoder encoder, DeterministicRandom rng) {
        return copies(encoder, adaptationSpecs(context.spec(), EncoderShape.of(context.spec())));
    }

    @Override
    protected Adaptation adaptation(TechniqueContext context, MiniLmEncoder encoder, List<NDArray> parameters,
                                    NDManager manager) {
        return new ReplacedParameters(parameters);
    }
}
