package dev.streamtune.model.technique;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.TensorSpec;
import dev.streamtune.model.head.HeadNetwork;
import java.util.List;

/** Trains only a linear or MLP head on pooled embeddings of the frozen backbone. */
public final class HeadOnlyTechnique implements Technique {
    public static final String ID = "head";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public BatchInput.InputKind inputKind() {
        return BatchInput.InputKind.POOLED_FEATURES;
    }

    @Override
    public List<TensorSpec> tensorSpecs(TechniqueSpec spec, int labelCount) {
        return spec.head().tensorSpecs(labelCount);
    }

    @Override
    public TrainableModel create(TechniqueContext context, DeterministicRandom rng) {
        checkSpec(context.spec());
        return new HeadOnlyModel(HeadNetwork.initialize(context.spec().head(), context.labelCount(),
                context.manager(), rng));
    }

    @Override
    public TrainableModel fromTensors(TechniqueContext context, List<NamedTensor> tensors) {
        checkSpec(context.spec());
        return new HeadOnlyModel(HeadNetwork.fromTensors(context.spec().head(), context.labelCount(), tensors,
                context.manager()));
    }

    private static void checkSpec(TechniqueSpec spec) {
        if (!ID.equals(spec.techniqueId())) {
            throw new IllegalArgumentException("technique '" + ID + "' was given a spec for '" + spec.techniqueId() + "'");
        }
    }

    private static final class HeadOnlyModel implements TrainableModel {
        private final HeadNetwork head;

        HeadOnlyModel(HeadNetwork head) {
            this.head = head;
        }

        @Override
        public String techniqueId() {
            return ID;
        }

        @Override
        public NDManager manager() {
            return head.manager();
        }

        @Override
        public NDList trainableParameters() {
            return head.parameters();
        }

        @Override
        public long trainableParameterCount() {
            return head.parameterCount();
        }

        @Override
        public int labelCount() {
            return head.labelCount();
        }

        @Override
        public void growLabels(int newLabelCount) {
            head.growLabels(newLabelCount);
        }

        @Override
        public StepGradients lossAndGradients(TrainingBatch batch, NDManager stepManager, DeterministicRandom rng) {
            BatchInput.PooledFeatures features = features(batch.input());
            HeadNetwork.LossAndGradients result = head.lossAndGradients(features.values(), features.rows(),
                    batch.labels(), batch.lossWeights(), rng, stepManager);
            return new StepGradients(result.loss(), result.gradients());
        }

        @Override
        public NDArray logits(BatchInput input, NDManager stepManager) {
            BatchInput.PooledFeatures features = features(input);
            return head.logits(features.values(), features.rows(), stepManager);
        }

        private BatchInput.PooledFeatures features(BatchInput input) {
            if (!(input instanceof BatchInput.PooledFeatures pooled)) {
                throw new IllegalArgumentException("technique '" + ID + "' is fed pooled features, got " + input.kind());
            }
            if (pooled.dim() != head.spec().inputDim()) {
                throw new IllegalArgumentException("features have dim " + pooled.dim() + ", the head expects "
                        + head.spec().inputDim());
            }
            return pooled;
        }

        @Override
        public List<NamedTensor> exportTensors() {
            return head.exportTensors();
        }

        @Override
        public void close() {
            head.close();
        }
    }
}
