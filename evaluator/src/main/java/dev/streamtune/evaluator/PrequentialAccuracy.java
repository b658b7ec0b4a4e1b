package dev.streamtune.evaluator;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Test-then-train accuracy per task: every new training example is first predicted by the task's current champion
 * and only then counted (and later trained on), so the score is always on data the model has not seen. It shows
 * drift as soon as the stream changes, before any retraining or validation run.
 *
 * <p>Keeps, per task, the cumulative count since the start and the last {@code windowSize} outcomes; the window
 * is what reacts to drift, the cumulative figure is the long-run baseline. Safe to call from several threads:
 * each task's counters are updated under that task's own lock.
 */
public final class PrequentialAccuracy {
    private final int windowSize;
    private final ConcurrentMap<String, TaskCounter> counters = new ConcurrentHashMap<>();

    /** @param windowSize how many of the most recent outcomes the sliding accuracy covers, in [1, 10_000_000] */
    public PrequentialAccuracy(int windowSize) {
        if (windowSize < 1 || windowSize > 10_000_000) {
            throw new IllegalArgumentException("windowSize must be in [1, 10000000], got " + windowSize);
        }
        this.windowSize = windowSize;
    }

    public int windowSize() {
        return windowSize;
    }

    /** Counts one champion prediction that was right or wrong, and returns the task's updated figures. */
    public PrequentialSnapshot record(String task, boolean correct) {
        ClassificationMetrics.requireText(task, "task");
        TaskCounter counter = counters.computeIfAbsent(task, t -> new TaskCounter(windowSize));
        synchronized (counter) {
            counter.add(correct);
            return counter.snapshot(task);
        }
    }

    /**
     * Counts the champion's prediction for one example: its probability row (arg-max, as in
     * {@link ClassificationMetrics}) against the true label index.
     */
    public PrequentialSnapshot record(String task, int trueLabel, double[] probabilities) {
        if (probabilities == null || probabilities.length == 0) {
            throw new IllegalArgumentException("probabilities must hold at least one class");
        }
        if (trueLabel < 0 || trueLabel >= probabilities.length) {
            throw new IllegalArgumentException("trueLabel = " + trueLabel + " is outside [0, " + probabilities.length + ")");
        }
        return record(task, Predictions.argmax(probabilities) == trueLabel);
    }

    /** The task's current figures, or empty if nothing was counted for it yet. */
    public Optional<PrequentialSnapshot> snapshot(String task) {
        TaskCounter counter = counters.get(task);
        if (counter == null) {
            return Optional.empty();
        }
        synchronized (counter) {
            return Optional.of(counter.snapshot(task));
        }
    }

    /** Tasks seen so far, sorted. */
    public Set<String> tasks() {
        return new TreeSet<>(counters.keySet());
    }

    /** Cumulative counts plus a ring buffer of the last {@code windowSize} outcomes. Guarded by its own monitor. */
    private static final class TaskCounter {
        private final boolean[] window;
        private int next;
        private int filled;
        private long windowCorrect;
        private long examples;
        private long correct;

        TaskCounter(int windowSize) {
            this.window = new boolean[windowSize];
        }

        void add(boolean outcome) {
            if (filled == window.length) {
                if (window[next]) {
                    windowCorrect--;
                }
            } else {
                filled++;
            }
            window[next] = outcome;
            if (outcome) {
                windowCorrect++;
                correct++;
            }
            examples++;
            next = (next + 1) % window.length;
        }

        PrequentialSnapshot snapshot(String task) {
            return new PrequentialSnapshot(task, examples, correct, filled, windowCorrect);
        }
    }
}
