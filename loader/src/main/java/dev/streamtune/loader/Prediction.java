package dev.streamtune.loader;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One prediction of a served model version.
 *
 * @param label         the most probable label (ties to the earliest in the version's label order)
 * @param probabilities the probability of every label, iterating in the version's label (output) order
 * @param version       the model version that made the prediction
 */
public record Prediction(String label, Map<String, Double> probabilities, long version) {
    public Prediction {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(probabilities, "probabilities");
        if (!probabilities.containsKey(label)) {
            throw new IllegalArgumentException("label '" + label + "' is not among the probabilities' labels "
                    + probabilities.keySet());
        }
        probabilities = Collections.unmodifiableMap(new LinkedHashMap<>(probabilities));
    }

    /** Builds a prediction from a probability row in {@code labels} order. */
    public static Prediction of(List<String> labels, float[] row, long version) {
        if (row.length != labels.size()) {
            throw new IllegalArgumentException("probability row has " + row.length + " entries but there are "
                    + labels.size() + " labels");
        }
        Map<String, Double> byLabel = new LinkedHashMap<>();
        int best = 0;
        for (int i = 0; i < row.length; i++) {
            byLabel.put(labels.get(i), (double) row[i]);
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return new Prediction(labels.get(best), byLabel, version);
    }

    /** The probability of {@code label}, 0 for a label this version does not know. */
    public double probability(String label) {
        return probabilities.getOrDefault(label, 0.0);
    }

    /**
     * The probabilities laid out in another label order, 0 for labels this version lacks: how an evaluator
     * scores a version on examples whose label set has grown since it was trained.
     */
    public double[] row(List<String> labelOrder) {
        double[] row = new double[labelOrder.size()];
        for (int i = 0; i < row.length; i++) {
            row[i] = probability(labelOrder.get(i));
        }
        return row;
    }
}
