package dev.streamtune.model.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.TensorSpec;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.head.HeadNetwork;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.DeterministicRandom;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.TrainableModel;
import java.util.ArrayList;
import java.util.List;

/**
 * What every technique that trains through the frozen encoder shares: it is fed token ids, it
 * needs the {@link MiniLmEncoder} as a context resource, its tensors are its own followed by the
 * head's (the head on the pooled, L2-normalised output is trained with every technique), and its
 * model is an {@link EncoderClassifier}. A subclass says which tensors it trains, how they start,
 * and how they change the forward pass.
 */
public abstract class EncoderTechnique implements Technique {

    @Override
    public final BatchInput.InputKind inputKind() {
        return BatchInput.InputKind.TOKEN_IDS;
    }

    /** The technique's own tensors (the head's excluded), in order. */
    protected abstract List<TensorSpec> adaptationSpecs(TechniqueSpec spec, EncoderShape shape);

    /** Fresh values for {@link #adaptationSpecs}, drawn from {@code rng} or copied from the encoder. */
    protected abstract List<NamedTensor> initialTensors(TechniqueContext context, MiniLmEncoder encoder,
                                                        DeterministicRandom rng);

    /** The behaviour of the technique's trainable arrays (already on the device, requiring gradients). */
    protected abstract Adaptation adaptation(TechniqueContext context, MiniLmEncoder encoder, List<NDArray> parameters,
                                             NDManager manager);

    /** Prepended vectors per row; the token limit leaves room for them within the position table. */
    protected int prefixLength(TechniqueSpec spec) {
        return 0;
    }

    @Override
    public final List<TensorSpec> tensorSpecs(TechniqueSpec spec, int labelCount) {
        checkSpec(spec);
        List<TensorSpec> specs = new ArrayList<>(adaptationSpecs(spec, EncoderShape.of(spec)));
        specs.addAll(spec.head().tensorSpecs(labelCount));
        return specs;
    }

    @Override
    public final TrainableModel create(TechniqueContext context, DeterministicRandom rng) {
        MiniLmEncoder encoder = encoder(context);
        List<NamedTensor> tensors = new ArrayList<>(initialTensors(context, encoder, rng));
        try (NDManager scratch = context.manager().newSubManager()) {
            HeadNetwork head = HeadNetwork.initialize(context.spec().head(), context.labelCount(), scratch, rng);
            tensors.addAll(head.exportTensors());
        }
        return fromTensors(context, tensors);
    }

    @Override
    public final TrainableModel fromTensors(TechniqueContext context, List<NamedTensor> tensors) {
        MiniLmEncoder encoder = encoder(context);
        TechniqueSpec spec = context.spec();
        List<TensorSpec> own = adaptationSpecs(spec, EncoderShape.of(spec));
        int headTensors = spec.head().tensorSpecs(context.labelCount()).size();
        if (tensors.size() != own.size() + headTensors) {
            throw new IllegalArgumentException("technique '" + id() + "' needs " + own.size() + " tensors and "
                    + headTensors + " head tensors, got " + tensors.size());
        }
        NDManager manager = context.manager().newSubManager();
        try {
            List<NDArray> parameters = new ArrayList<>(own.size());
            for (int i = 0; i < own.size(); i++) {
                NamedTensor tensor = tensors.get(i);
                if (!tensor.spec().equals(own.get(i))) {
                    throw new IllegalArgumentException("technique '" + id() + "' tensor " + i + " must be " + own.get(i)
                            + ", got " + tensor.spec());
                }
                NDArray array = manager.create(tensor.valuesView(), new Shape(tensor.shape()));
                array.setName(tensor.name());
                array.setRequiresGradient(true);
                parameters.add(array);
            }
            HeadNetwork head = HeadNetwork.fromTensors(spec.head(), context.labelCount(),
                    tensors.subList(own.size(), tensors.size()), manager);
            int maxTokens = PeftOptions.intOption(spec, PeftOptions.MAX_TOKENS, PeftOptions.DEFAULT_MAX_TOKENS, 2,
                    encoder.architecture().maxPositions() - prefixLength(spec));
            return new EncoderClassifier(id(), encoder, adaptation(context, encoder, parameters, manager), head,
                    manager, maxTokens, encoder.parameterCount());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private MiniLmEncoder encoder(TechniqueContext context) {
        checkSpec(context.spec());
        MiniLmEncoder encoder = context.require(MiniLmEncoder.class);
        EncoderShape.of(context.spec()).requireMatches(encoder.architecture(), id());
        return encoder;
    }

    private void checkSpec(TechniqueSpec spec) {
        if (!id().equals(spec.techniqueId())) {
            throw new IllegalArgumentException("technique '" + id() + "' was given a spec for '" + spec.techniqueId() + "'");
        }
    }

    /** PyTorch's nn.Linear initialisation, Uniform(-1/sqrt(fanIn), 1/sqrt(fanIn)), drawn from {@code rng}. */
    static float[] uniform(int count, int fanIn, DeterministicRandom rng) {
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (2f * rng.nextFloat() - 1f) * bound;
        }
        return values;
    }

    /** Heap copies of frozen encoder parameters, the starting point of techniques that retrain them. */
    static List<NamedTensor> copies(MiniLmEncoder encoder, List<TensorSpec> specs) {
        List<NamedTensor> tensors = new ArrayList<>(specs.size());
        for (TensorSpec spec : specs) {
            NDArray frozen = encoder.frozenParameter(spec.name());
            if (!spec.matches(frozen.getShape().getShape())) {
                throw new IllegalArgumentException("encoder parameter '" + spec.name() + "' has shape "
                        + frozen.getShape() + ", the technique expects " + new Shape(spec.shape()));
            }
            tensors.add(new NamedTensor(spec.name(), spec.shape(), HostReadback.floats(frozen)));
        }
        return tensors;
    }
}
