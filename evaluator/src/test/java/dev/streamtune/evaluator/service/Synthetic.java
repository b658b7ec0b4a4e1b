package dev.streamtune.evaluator.service;

import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Split;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.head.HeadNetwork;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Two-class synthetic features with a known Bayes accuracy, and linear heads of chosen quality.
 *
 * <p>An example of class y is {@code (2y - 1) * SIGNAL * mu + NOISE * z}, z standard normal per coordinate, mu a
 * fixed unit direction. A head scoring {@code w . x} with unit w at angle theta to mu is right with probability
 * {@code Phi(SIGNAL * cos(theta) / NOISE)}: 97.7 % along mu, 81.6 % at cos(theta) = 0.45, 50 % for a head trained on
 * shuffled labels (it learns noise).
 */
final class Synthetic {
    static final double NOISE = 0.05;
    static final double SIGNAL = 2 * NOISE;
    static final List<String> LABELS = List.of("ham", "spam");
    /** The trainer's and the evaluator's keys in these tests: the evaluator signs with one and trusts the other. */
    static final dev.streamtune.schemas.signing.SigningKey TRAINER = dev.streamtune.schemas.signing.SigningKey.generate();
    static final dev.streamtune.schemas.signing.SigningKey EVALUATOR = dev.streamtune.schemas.signing.SigningKey.generate();
    static final dev.streamtune.schemas.signing.ModelTrust TRUST =
            new dev.streamtune.schemas.signing.ModelTrust(EVALUATOR, TRAINER.asTrusted());

    final int dim;
    final double[] mu;
    private final Random random;

    Synthetic(int dim, long seed) {
        this.dim = dim;
        this.random = new Random(seed);
        this.mu = unit(gaussian(dim, random));
    }

    /** A feature vector of label index {@code y}. */
    float[] sample(int y) {
        float[] x = new float[dim];
        double sign = y == 1 ? 1 : -1;
        for (int i = 0; i < dim; i++) {
            x[i] = (float) (sign * SIGNAL * mu[i] + NOISE * random.nextGaussian());
        }
        return x;
    }

    /** A unit direction at cos(theta) = {@code cosine} to mu. */
    double[] direction(double cosine) {
        double[] r = gaussian(dim, random);
        double dot = dot(r, mu);
        for (int i = 0; i < dim; i++) {
            r[i] -= dot * mu[i];
        }
        r = unit(r);
        double sine = Math.sqrt(1 - cosine * cosine);
        double[] w = new double[dim];
        for (int i = 0; i < dim; i++) {
            w[i] = cosine * mu[i] + sine * r[i];
        }
        return w;
    }

    /** A 2-class linear head whose logit difference is {@code scale * w . x}. */
    static Delta head(double[] w, double bias, double scale) {
        int dim = w.length;
        float[] weight = new float[2 * dim];
        for (int i = 0; i < dim; i++) {
            weight[i] = (float) (-scale * w[i] / 2);
            weight[dim + i] = (float) (scale * w[i] / 2);
        }
        float[] b = {(float) (-bias / 2), (float) (bias / 2)};
        return DeltaCodec.encode(List.of(new NamedTensor(HeadNetwork.OUTPUT_WEIGHT, new long[] {2, dim}, weight),
                new NamedTensor(HeadNetwork.OUTPUT_BIAS, new long[] {2}, b)));
    }

    /** A head of quality Phi(SIGNAL * cosine / NOISE), with a moderate confidence. */
    Delta headAtCosine(double cosine) {
        return head(direction(cosine), 0, 2 / SIGNAL);
    }

    /**
     * Logistic regression by plain batch gradient descent on these examples with their labels shuffled: the
     * challenger that must never be promoted.
     */
    Delta shuffledLabelHead(List<float[]> xs, List<Integer> ys, long seed) {
        List<Integer> shuffled = new ArrayList<>(ys);
        Collections.shuffle(shuffled, new Random(seed));
        return logisticHead(xs, shuffled);
    }

    /** Logistic regression (label 1 = "spam") by plain batch gradient descent, as a 2-class linear head. */
    static Delta logisticHead(List<float[]> xs, List<Integer> shuffled) {
        int dim = xs.get(0).length;
        double[] w = new double[dim];
        double b = 0;
        double lr = 2.0;
        for (int epoch = 0; epoch < 200; epoch++) {
            double[] gw = new double[dim];
            double gb = 0;
            for (int n = 0; n < xs.size(); n++) {
                float[] x = xs.get(n);
                double z = b;
                for (int i = 0; i < dim; i++) {
                    z += w[i] * x[i];
                }
                double err = 1 / (1 + Math.exp(-z)) - shuffled.get(n);
                for (int i = 0; i < dim; i++) {
                    gw[i] += err * x[i];
                }
                gb += err;
            }
            for (int i = 0; i < dim; i++) {
                w[i] -= lr * gw[i] / xs.size();
            }
            b -= lr * gb / xs.size();
        }
        return head(w, b, 1);
    }

    static FeatureVector feature(String task, String id, String label, Split split, String backbone, float[] x) {
        List<Float> vector = new ArrayList<>(x.length);
        for (float v : x) {
            vector.add(v);
        }
        return FeatureVector.newBuilder().setExampleId(id).setTask(task).setLabel(label).setSplit(split)
                .setBackbone(backbone).setVector(vector).build();
    }

    static ModelVersion version(String task, long number, String backbone, String baseSha256, Delta delta) {
        return ModelVersion.newBuilder().setTask(task).setVersion(number).setParentVersion(number > 1 ? number - 1 : null)
                .setTechnique("head").setHyperparameters(Map.of("head", "linear"))
                .setBase(new BaseModel(backbone, baseSha256)).setLabels(LABELS)
                .setDelta(dev.streamtune.avro.Delta.newBuilder().setFormat(delta.format()).setSha256(delta.sha256())
                        .setSizeBytes(delta.size()).setInline(ByteBuffer.wrap(delta.bytes())).build())
                .setCreatedAt(Instant.parse("2026-11-26T10:00:00Z")).build();
    }

    private static double[] gaussian(int dim, Random random) {
        double[] v = new double[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = random.nextGaussian();
        }
        return v;
    }

    private static double[] unit(double[] v) {
        double norm = Math.sqrt(dot(v, v));
        double[] u = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = v[i] / norm;
        }
        return u;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
