package dev.streamtune.model.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.encoder.EncoderAdapter;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.encoder.PaddedTokens;
import dev.streamtune.model.head.HeadKind;
import dev.streamtune.model.head.HeadNetwork;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.DeterministicRandom;
import dev.streamtune.model.technique.TrainableModel;
import dev.streamtune.model.technique.TrainingBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Frozen encoder + a technique's {@link Adaptation} + a head: token ids in, logits out. Training
 * steps record the forward pass with DJL's autograd; only the adaptation's arrays and the head's
 * require a gradient, so the backward pass goes through the frozen encoder's activations without
 * computing (or allocating) gradients for its 22.6 M weights.
 *
 * <p>Each step runs in an {@link NDScope}: every array it creates, including those attached to a
 * parameter's manager because a parameter was the first operand, is closed when the step ends,
 * except the results handed back in the caller's step manager. Native memory stays flat however
 * many steps run.
 *
 * <p>DJL's PyTorch engine allows one recording {@link GradientCollector} per process at a time, so
 * training steps of different models must not run concurrently; inference ({@link #logits}) may.
 */
public final class EncoderClassifier implements TrainableModel {
    private final String techniqueId;
    private final MiniLmEncoder encoder;
    private final Adaptation adaptation;
    private final HeadNetwork head;
    private final NDManager manager;
    private final int maxTokens;
    private final long encoderParameters;

    EncoderClassifier(String techniqueId, MiniLmEncoder encoder, Adaptation adaptation, HeadNetwork head,
                      NDManager manager, int maxTokens, long encoderParameters) {
        this.techniqueId = techniqueId;
        this.encoder = encoder;
        this.adaptation = adaptation;
        this.head = head;
        this.manager = manager;
        this.maxTokens = maxTokens;
        this.encoderParameters = encoderParameters;
        requireHeadGradients();
    }

    private void requireHeadGradients() {
        for (NDArray parameter : head.parameters()) {
            if (!parameter.hasGradient()) {
                parameter.setRequiresGradient(true);
            }
        }
    }

    @Override
    public String techniqueId() {
        return techniqueId;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    /** The frozen encoder this model trains through (shared, not owned). */
    public MiniLmEncoder encoder() {
        return encoder;
    }

    /** The longest token row accepted, special tokens included. */
    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public NDList trainableParameters() {
        NDList parameters = new NDList(adaptation.parameters());
        parameters.addAll(head.parameters());
        return parameters;
    }

    @Override
    public long trainableParameterCount() {
        long count = head.parameterCount();
        for (NDArray parameter : adaptation.parameters()) {
            count += parameter.size();
        }
        return count;
    }

    /** Trainable parameters as a fraction of the frozen encoder's. */
    public double trainableFraction() {
        return (double) trainableParameterCount() / encoderParameters;
    }

    @Override
    public int labelCount() {
        return head.labelCount();
    }

    @Override
    public void growLabels(int newLabelCount) {
        head.growLabels(newLabelCount);
        requireHeadGradients();
    }

    @Override
    public StepGradients lossAndGradients(TrainingBatch batch, NDManager stepManager, DeterministicRandom rng) {
        double weightSum = 0;
        for (float w : batch.lossWeights()) {
            weightSum += w;
        }
        if (!(weightSum > 0) || Double.isInfinite(weightSum)) {
            throw new IllegalArgumentException("loss weights must sum to a positive finite value, got " + weightSum);
        }
        int rows = batch.size();
        int labels = head.labelCount();
        float[] target = new float[rows * labels];
        for (int i = 0; i < rows; i++) {
            int label = batch.labels()[i];
            if (label < 0 || label >= labels) {
                throw new IllegalArgumentException("label index at row " + i + " must be in [0, " + labels + "), got "
                        + label);
            }
            target[i * labels + label] = (float) (batch.lossWeights()[i] / weightSum);
        }
        NDList parameters = trainableParameters();
        try (NDScope scope = new NDScope()) {
            float loss;
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray logits = forward(batch.input(), stepManager, adaptation, rng);
                NDArray lossArray = logits.logSoftmax(1).mul(stepManager.create(target, new Shape(rows, labels)))
                        .sum().neg();
                collector.backward(lossArray);
                loss = HostReadback.scalar(lossArray);
            }
            NDList gradients = new NDList(parameters.size());
            for (NDArray parameter : parameters) {
                NDArray accumulated = parameter.getGradient();
                NDArray gradient = accumulated.duplicate();
                // PyTorch accumulates into .grad; zero it so the next step starts clean
                accumulated.subi(accumulated);
                NDScope.unregister(gradient);
                gradient.attach(stepManager);
                gradients.add(gradient);
            }
            return new StepGradients(loss, gradients);
        }
    }

    /** Inference logits [rows, labels]: no dropout; LoRA uses its factors merged into the weights. */
    @Override
    public NDArray logits(BatchInput input, NDManager stepManager) {
        try (NDScope scope = new NDScope()) {
            NDArray logits = forward(input, stepManager, adaptation.forInference(stepManager), null);
            NDScope.unregister(logits);
            logits.attach(stepManager);
            return logits;
        }
    }

    /** Logits by the training path (unmerged LoRA factors), without dropout; for checking a merge. */
    public NDArray unmergedLogits(BatchInput input, NDManager stepManager) {
        try (NDScope scope = new NDScope()) {
            NDArray logits = forward(input, stepManager, adaptation, null);
            NDScope.unregister(logits);
            logits.attach(stepManager);
            return logits;
        }
    }

    /** The L2-normalised mean-pooled encoder output [rows, hidden] that the head sees. */
    public NDArray pooled(BatchInput input, NDManager stepManager) {
        try (NDScope scope = new NDScope()) {
            NDArray pooled = pooled(input, stepManager, adaptation.forInference(stepManager));
            NDScope.unregister(pooled);
            pooled.attach(stepManager);
            return pooled;
        }
    }

    private NDArray forward(BatchInput input, NDManager step, EncoderAdapter hooks, DeterministicRandom dropoutRng) {
        return headLogits(pooled(input, step, hooks), dropoutRng);
    }

    private NDArray pooled(BatchInput input, NDManager step, EncoderAdapter hooks) {
        if (!(input instanceof BatchInput.TokenIds tokenIds)) {
            throw new IllegalArgumentException("technique '" + techniqueId + "' is fed token ids, got " + input.kind());
        }
        PaddedTokens tokens = PaddedTokens.of(tokenIds.ids(), tokenIds.attentionMask(), maxTokens);
        NDArray mask = tokens.maskArray(step);
        NDArray words = encoder.wordEmbeddings(tokens.idsArray(step));
        NDArray prefix = adaptation.prefix(words, mask);
        if (prefix == null) {
            return MiniLmEncoder.l2Normalize(MiniLmEncoder.meanPool(encoder.forward(words, mask, hooks), mask));
        }
        long prefixLength = prefix.getShape().get(1);
        NDArray fullMask = step.ones(new Shape(tokens.rows(), prefixLength)).concat(mask, 1);
        NDArray hidden = encoder.forward(NDArrays.concat(new NDList(prefix, words), 1), fullMask, hooks);
        // pool the text's own positions only: the pooled vector stays comparable to the frozen
        // embedding, and the prompt acts through attention
        // split, not an NDIndex slice: DJL's slicing inlines libtorch 2.7.1 SymInt code that a newer
        // libtorch (our GPU nodes') lacks, while split is one dispatcher call
        NDArray textHidden = hidden.split(new long[] {prefixLength}, 1).get(1);
        return MiniLmEncoder.l2Normalize(MiniLmEncoder.meanPool(textHidden, mask));
    }

    /**
     * The head of {@link HeadNetwork}, recomputed here so autograd sees it (with dropout when
     * training). Its parameters are augmented {@code [W | b]} per layer, so each input gets a
     * column of ones and one matmul gives the layer's output.
     */
    private NDArray headLogits(NDArray features, DeterministicRandom dropoutRng) {
        NDList parameters = head.parameters();
        NDArray ones = features.getManager().ones(new Shape(features.getShape().get(0), 1));
        NDArray first = features.concat(ones, 1).matMul(parameters.get(0).transpose());
        if (head.spec().kind() == HeadKind.LINEAR) {
            return first;
        }
        NDArray hidden = Activation.relu(first);
        float dropout = head.spec().dropout();
        if (dropoutRng != null && dropout > 0f) {
            int size = (int) hidden.size();
            float keep = 1f - dropout;
            float[] scale = new float[size];
            for (int i = 0; i < size; i++) {
                scale[i] = dropoutRng.nextFloat() < keep ? 1f / keep : 0f;
            }
            hidden = hidden.mul(features.getManager().create(scale, hidden.getShape()));
        }
        return hidden.concat(ones, 1).matMul(parameters.get(1).transpose());
    }

    @Override
    public List<NamedTensor> exportTensors() {
        List<NamedTensor> tensors = new ArrayList<>();
        for (NDArray parameter : adaptation.parameters()) {
            tensors.add(new NamedTensor(parameter.getName(), parameter.getShape().getShape(), HostReadback.floats(parameter)));
        }
        tensors.addAll(head.exportTensors());
        return tensors;
    }

    /** The trained tensors, then whatever frozen context the technique's forward pass needs ({@link Adaptation#deltaContext}). */
    @Override
    public Delta saveDelta() {
        List<NamedTensor> tensors = exportTensors();
        tensors.addAll(adaptation.deltaContext());
        return DeltaCodec.encode(tensors);
    }

    @Override
    public void close() {
        head.close();
        manager.close();
    }
}
