package dev.streamtune.model.hybrid;

import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.TensorSpec;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.DeterministicRandom;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSettings;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.TrainableModel;
import java.util.List;

/**
 * The default technique: a {@link HybridClassifier} over the featurizer's pooled embedding and hashed
 * word n-grams, refitted to convergence on every retained example at each publish, with its
 * regularisation and feature set chosen on the validation split. It is a convex batch fit, not a
 * stream of optimizer steps, so it has no {@link TrainableModel}: the trainer service fits it with
 * its own trainer and subscribers load it with their own factory.
 *
 * <p>Settings: {@value #BUCKETS} (a power of two; by default 2^18, fewer for tasks with many labels,
 * see {@link HybridClassifier#defaultBuckets}) and {@value #C_GRID} (comma-separated inverse
 * regularisation strengths to choose from; scikit-learn's {@code C}).
 */
public final class HybridTechnique implements Technique {
    public static final String ID = "hybrid";
    public static final String BUCKETS = "lexical_buckets";
    public static final String C_GRID = "c_grid";

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
        return HybridClassifier.tensorSpecs(buckets(spec, labelCount), spec.head().inputDim(), labelCount);
    }

    /** The spec's {@value #BUCKETS}, or the default for {@code labelCount} labels. */
    public static int buckets(TechniqueSpec spec, int labelCount) {
        int buckets = TechniqueSettings.intSetting(spec.options(), BUCKETS, HybridClassifier.defaultBuckets(labelCount));
        if (buckets < 1 || buckets > HybridClassifier.MAX_BUCKETS || Integer.bitCount(buckets) != 1) {
            throw new IllegalArgumentException("setting '" + BUCKETS + "' must be a power of two between 1 and "
                    + HybridClassifier.MAX_BUCKETS + ", got " + buckets);
        }
        return buckets;
    }

    /** The C values to choose from: the spec's {@value #C_GRID} or 0.5, 2, 8, 32, 128. */
    public static double[] cGrid(TechniqueSpec spec) {
        String grid = spec.options().get(C_GRID);
        if (grid == null || grid.isBlank()) {
            return new double[] {0.5, 2, 8, 32, 128};
        }
        String[] parts = grid.split(",");
        double[] values = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                values[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("setting '" + C_GRID + "' must be comma-separated numbers, got '"
                        + grid + "'");
            }
            if (!(values[i] > 0) || values[i] > 1e6) {
                throw new IllegalArgumentException("setting '" + C_GRID + "': every C must be in (0, 1e6], got "
                        + parts[i].trim());
            }
        }
        if (values.length > 16) {
            throw new IllegalArgumentException("setting '" + C_GRID + "' holds at most 16 values, got " + values.length);
        }
        java.util.Arrays.sort(values);
        return values;
    }

    @Override
    public TrainableModel create(TechniqueContext context, DeterministicRandom rng) {
        throw new UnsupportedOperationException("technique '" + ID + "' is fitted in batch by the trainer's"
                + " HybridTrainer, not stepped as a TrainableModel");
    }

    @Override
    public TrainableModel fromTensors(TechniqueContext context, List<NamedTensor> tensors) {
        throw new UnsupportedOperationException("technique '" + ID + "' is served by HybridClassifier, not as a"
                + " TrainableModel");
    }
}
