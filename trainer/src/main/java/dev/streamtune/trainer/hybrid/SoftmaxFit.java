package dev.streamtune.trainer.hybrid;

import dev.streamtune.model.hybrid.HybridClassifier.SparseRow;
import java.util.Arrays;

/**
 * L2-regularised multinomial logistic regression over a sparse block (hashed TF-IDF, {@code buckets}
 * wide) and a dense block (the pooled embedding, {@code dim} wide), fitted to convergence with
 * L-BFGS: the same objective as scikit-learn's {@code LogisticRegression(C=...)}, whose solver is
 * L-BFGS too. The parameters live in one array: lexical weights {@code [labels][buckets]}, dense
 * weights {@code [labels][dim]}, then the biases, which are not penalised. Internally the lexical
 * block is compacted to the buckets that occur in the data (the others' weights stay exactly 0
 * under L2), so a fit on few examples costs what their terms cost, not what 2^18 buckets do, and
 * laid out bucket-major ({@code [bucket][label]}), so one term's weights for every label share a
 * cache line: the sparse gather, not arithmetic, is what a fit's time goes to.
 *
 * <p>Objective: {@code (1/n) sum_i w_i CE(softmax(W x_i + b), y_i) + ||W||^2 / (2 C n)}.
 */
final class SoftmaxFit {
    private static final int HISTORY = 6;
    private static final double ARMIJO = 1e-4;

    private final int labels;
    private final int fullBuckets;
    private final int[] active;          // compact bucket -> full bucket
    private final int buckets;           // compact width
    private final int dim;
    private final SparseRow[] lexical;   // null entries when the lexical block is off
    private final float[][] dense;       // null when the dense block is off
    private final int[] truth;
    private final float[] weights;
    private final int size;

    /**
     * @param lexical per example, or null when the lexical block is off
     * @param dense   per example (unit norm), or null when the dense block is off
     * @param weights per-example loss weights (mean 1 for balanced class weights)
     */
    SoftmaxFit(int labels, int buckets, int dim, SparseRow[] lexical, float[][] dense, int[] truth, float[] weights) {
        this.labels = labels;
        this.fullBuckets = buckets;
        this.dim = dim;
        if (lexical != null) {
            int[] compactOf = new int[buckets];
            java.util.Arrays.fill(compactOf, -1);
            int[] order = new int[Math.min(buckets, 1 << 16)];
            int count = 0;
            SparseRow[] remapped = new SparseRow[lexical.length];
            for (int i = 0; i < lexical.length; i++) {
                SparseRow row = lexical[i];
                int[] indices = new int[row.size()];
                for (int j = 0; j < row.size(); j++) {
                    int bucket = row.index(j);
                    if (compactOf[bucket] < 0) {
                        if (count == order.length) {
                            order = java.util.Arrays.copyOf(order, Math.min(buckets, order.length * 2));
                        }
                        compactOf[bucket] = count;
                        order[count++] = bucket;
                    }
                    indices[j] = compactOf[bucket] * labels; // interleaved: a bucket's weights for every label adjacent
                }
                remapped[i] = new SparseRow(indices, row.values());
            }
            this.active = java.util.Arrays.copyOf(order, count);
            this.lexical = remapped;
        } else {
            this.active = new int[0];
            this.lexical = null;
        }
        this.buckets = active.length;
        this.dense = dense;
        this.truth = truth;
        this.weights = weights;
        this.size = labels * (this.buckets + dim + 1);
    }

    /** Parameters in the full layout ({@code labels * (buckets + dim + 1)}): what {@link #fit} takes and returns. */
    int parameterCount() {
        return labels * (fullBuckets + dim + 1);
    }

    private float[] compact(float[] full) {
        float[] theta = new float[size];
        if (full == null) {
            return theta;
        }
        for (int k = 0; k < labels; k++) {
            for (int a = 0; a < buckets; a++) {
                theta[a * labels + k] = full[k * fullBuckets + active[a]];
            }
        }
        System.arraycopy(full, labels * fullBuckets, theta, labels * buckets, labels * (dim + 1));
        return theta;
    }

    private float[] expand(float[] theta) {
        float[] full = new float[parameterCount()];
        for (int k = 0; k < labels; k++) {
            for (int a = 0; a < buckets; a++) {
                full[k * fullBuckets + active[a]] = theta[a * labels + k];
            }
        }
        System.arraycopy(theta, labels * buckets, full, labels * fullBuckets, labels * (dim + 1));
        return full;
    }

    int denseOffset() {
        return labels * buckets;
    }

    int biasOffset() {
        return labels * (buckets + dim);
    }

    /** The result of a fit: parameters, final objective and iterations taken. */
    record Result(float[] theta, double objective, int iterations) {
    }

    /**
     * Fits from {@code init} (full layout, zeros when null; not modified) for at most {@code maxIterations};
     * the result is in the full layout too.
     * Stops when the largest gradient component is under {@code gradientTolerance} or the objective's
     * relative decrease falls under 1e-6.
     */
    Result fit(double c, float[] init, int maxIterations, double gradientTolerance) {
        int n = truth.length;
        double lambda = 1.0 / (c * Math.max(1, n));
        float[] x = compact(init);
        float[] g = new float[size];
        float[] xNew = new float[size];
        float[] gNew = new float[size];
        float[] direction = new float[size];
        float[][] s = new float[HISTORY][];
        float[][] y = new float[HISTORY][];
        double[] rho = new double[HISTORY];
        double[] alpha = new double[HISTORY];
        int stored = 0;
        int newest = -1;
        double f = evaluate(x, g, lambda);
        int iteration = 0;
        while (iteration < maxIterations) {
            if (maxAbs(g) < gradientTolerance) {
                break;
            }
            // two-loop recursion: direction = -H g
            System.arraycopy(g, 0, direction, 0, size);
            for (int k = 0; k < stored; k++) {
                int i = Math.floorMod(newest - k, HISTORY);
                alpha[i] = rho[i] * dot(s[i], direction);
                axpy(-alpha[i], y[i], direction);
            }
            double gamma = stored > 0 ? dot(s[newest], y[newest]) / dot(y[newest], y[newest]) : 1.0 / norm(g);
            scale(direction, gamma);
            for (int k = stored - 1; k >= 0; k--) {
                int i = Math.floorMod(newest - k, HISTORY);
                double beta = rho[i] * dot(y[i], direction);
                axpy(alpha[i] - beta, s[i], direction);
            }
            scale(direction, -1);
            double slope = dot(g, direction);
            if (!(slope < 0)) {
                // not a descent direction (numerical trouble): restart from steepest descent
                stored = 0;
                System.arraycopy(g, 0, direction, 0, size);
                scale(direction, -1.0 / norm(g));
                slope = dot(g, direction);
            }
            double step = 1.0;
            double fNew = Double.NaN;
            for (int tries = 0; tries < 30; tries++) {
                for (int j = 0; j < size; j++) {
                    xNew[j] = (float) (x[j] + step * direction[j]);
                }
                fNew = evaluate(xNew, gNew, lambda);
                if (fNew <= f + ARMIJO * step * slope) {
                    break;
                }
                step *= 0.5;
            }
            iteration++;
            if (!(fNew <= f)) {
                break; // the line search found no decrease: at the optimum to float precision
            }
            int slot = (newest + 1) % HISTORY;
            if (s[slot] == null) {
                s[slot] = new float[size];
                y[slot] = new float[size];
            }
            for (int j = 0; j < size; j++) {
                s[slot][j] = xNew[j] - x[j];
                y[slot][j] = gNew[j] - g[j];
            }
            double sy = dot(s[slot], y[slot]);
            if (sy > 1e-12) {
                rho[slot] = 1.0 / sy;
                newest = slot;
                stored = Math.min(HISTORY, stored + 1);
            }
            double decrease = (f - fNew) / Math.max(1.0, Math.abs(f));
            float[] swap = x;
            x = xNew;
            xNew = swap;
            swap = g;
            g = gNew;
            gNew = swap;
            f = fNew;
            if (decrease < 1e-6) {
                break;
            }
        }
        return new Result(expand(x), f, iteration);
    }

    /** Threads of the data pass: the machine's cores, at most 4; a pass is split only when it is big enough. */
    private static final int THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private static final long MIN_WORK_PER_THREAD = 2_000_000;

    /** The objective at {@code theta}; writes its gradient into {@code grad}. */
    double evaluate(float[] theta, float[] grad, double lambda) {
        int n = truth.length;
        long work = (long) n * labels * (dim + 64);
        int threads = (int) Math.max(1, Math.min(THREADS, work / MIN_WORK_PER_THREAD));
        double loss;
        if (threads == 1) {
            Arrays.fill(grad, 0f);
            loss = dataPass(theta, grad, 0, n);
        } else {
            int chunk = (n + threads - 1) / threads;
            float[][] partial = new float[threads][];
            double[] losses = new double[threads];
            java.util.concurrent.CompletableFuture<?>[] futures = new java.util.concurrent.CompletableFuture<?>[threads - 1];
            for (int t = 1; t < threads; t++) {
                int index = t;
                futures[t - 1] = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    partial[index] = new float[size];
                    losses[index] = dataPass(theta, partial[index], index * chunk, Math.min(n, (index + 1) * chunk));
                }, POOL);
            }
            Arrays.fill(grad, 0f);
            losses[0] = dataPass(theta, grad, 0, Math.min(n, chunk));
            java.util.concurrent.CompletableFuture.allOf(futures).join();
            loss = losses[0];
            for (int t = 1; t < threads; t++) {
                float[] g = partial[t];
                for (int j = 0; j < size; j++) {
                    grad[j] += g[j];
                }
                loss += losses[t];
            }
        }
        return regularise(theta, grad, loss, lambda);
    }

    private static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newFixedThreadPool(
            Math.max(1, THREADS - 1), runnable -> {
                Thread thread = new Thread(runnable, "hybrid-fit");
                thread.setDaemon(true);
                return thread;
            });

    /** Adds examples [from, to)'s share of the data term's gradient into {@code grad}; returns their share of the loss. */
    private double dataPass(float[] theta, float[] grad, int from, int to) {
        int n = truth.length;
        int denseOffset = denseOffset();
        int biasOffset = biasOffset();
        double[] z = new double[labels];
        float[] coefficients = new float[labels];
        double loss = 0;
        double invN = 1.0 / Math.max(1, n);
        for (int i = from; i < to; i++) {
            SparseRow row = lexical == null ? null : lexical[i];
            float[] x = dense == null ? null : dense[i];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < labels; k++) {
                z[k] = theta[biasOffset + k];
            }
            if (row != null) {
                int[] idx = row.indices();
                float[] val = row.values();
                for (int j = 0; j < idx.length; j++) {
                    int base = idx[j];
                    float value = val[j];
                    for (int k = 0; k < labels; k++) {
                        z[k] += theta[base + k] * value;
                    }
                }
            }
            for (int k = 0; k < labels; k++) {
                double v = z[k];
                if (x != null) {
                    int base = denseOffset + k * dim;
                    for (int d = 0; d < dim; d++) {
                        v += theta[base + d] * x[d];
                    }
                }
                z[k] = v;
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int k = 0; k < labels; k++) {
                z[k] = Math.exp(z[k] - max);
                sum += z[k];
            }
            double w = weights[i] * invN;
            loss -= weights[i] * Math.log(Math.max(z[truth[i]] / sum, 1e-300));
            for (int k = 0; k < labels; k++) {
                coefficients[k] = (float) (w * (z[k] / sum - (k == truth[i] ? 1 : 0)));
            }
            if (row != null) {
                int[] idx = row.indices();
                float[] val = row.values();
                for (int j = 0; j < idx.length; j++) {
                    int base = idx[j];
                    float value = val[j];
                    for (int k = 0; k < labels; k++) {
                        grad[base + k] += coefficients[k] * value;
                    }
                }
            }
            for (int k = 0; k < labels; k++) {
                float coefficient = coefficients[k];
                if (coefficient == 0) {
                    continue;
                }
                grad[biasOffset + k] += coefficient;
                if (x != null) {
                    int base = denseOffset + k * dim;
                    for (int d = 0; d < dim; d++) {
                        grad[base + d] += coefficient * x[d];
                    }
                }
            }
        }
        return loss * invN;
    }

    private double regularise(float[] theta, float[] grad, double loss, double lambda) {
        int biasOffset = biasOffset();
        double penalty = 0;
        for (int j = 0; j < biasOffset; j++) {
            float t = theta[j];
            if (t != 0) {
                penalty += (double) t * t;
                grad[j] += (float) (lambda * t);
            }
        }
        return loss + 0.5 * lambda * penalty;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double a, float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += (float) (a * x[i]);
        }
    }

    private static void scale(float[] x, double a) {
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (x[i] * a);
        }
    }

    private static double norm(float[] x) {
        return Math.max(Math.sqrt(dot(x, x)), 1e-30);
    }

    private static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
