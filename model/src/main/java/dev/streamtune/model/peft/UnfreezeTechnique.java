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
 * The classic step of fine-tuning: unfreeze the top k transformer layers (option
 * {@code unfreeze_layers}, default 2) and train them with the head; the layers below stay
 * frozen. About 1.8 M weights per MiniLM layer, so its delta travels by reference, not inline.
 */
public final class UnfreezeTechnique extends EncoderTechnique {
    public static final String ID = "unfreeze";

    /** Measured by the PEFT benchmark (bench module) on the bundled corpora. */
    public static final float DEFAULT_LEARNING_RATE = 5e-5f;
    static final String LAYERS = "unfreeze_layers";
    static final int DEFAULT_LAYERS = 2;

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
        int unfrozen = PeftOptions.intOption(spec, LAYERS, DEFAULT_LAYERS, 1, shape.layers());
        int h = shape.hidden();
        int i = shape.intermediate();
        List<TensorSpec> specs = new ArrayList<>();
        for (int layer = shape.layers() - unfrozen; layer < shape.layers(); layer++) {
            for (String name : MiniLmEncoder.layerParameterNames(layer)) {
                String local = name.substring(EncoderWeights.layerName(layer, "").length());
                long[] dims = switch (local) {
                    case MiniLmEncoder.Dense.INTERMEDIATE + ".weight" -> new long[] {h, i};
                    case MiniLmEncoder.Dense.INTERMEDIATE + ".bias" -> new long[] {i};
                    case MiniLmEncoder.Dense.OUTPUT + ".weight" -> new long[] {i, h};
                    case MiniLmEncoder.Dense.QUERY + ".weight", MiniLmEncoder.Dense.KEY + ".weight",
                            MiniLmEncoder.Dense.VALUE + ".weight", MiniLmEncoder.Dense.ATTENTION_OUTPUT + ".weight" ->
                            new long[] {h, h};
                    default -> new long[] {h}; // biases and LayerNorm scales
                };
                specs.add(new TensorSpec(name, dims));
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
