package dev.streamtune.trainer;

import java.util.function.Consumer;

/** Prints "what: done/total (pct) at rate/s, ETA" at most once per interval. Not thread-safe. */
public final class ProgressReporter {
    private final String what;
    private final long total;
    private final long intervalNanos;
    private final Consumer<String> sink;
    private final long startNanos;
    private long lastReportNanos;

    public ProgressReporter(String what, long total, long intervalMillis, Consumer<String> sink) {
        if (total < 1) {
            throw new IllegalArgumentException("progress total must be >= 1, got " + total);
        }
        this.what = what;
        this.total = total;
        this.intervalNanos = intervalMillis * 1_000_000L;
        this.sink = sink;
        this.startNanos = System.nanoTime();
        this.lastReportNanos = startNanos;
    }

    public void update(long done) {
        long now = System.nanoTime();
        if (now - lastReportNanos >= intervalNanos || done == total) {
            lastReportNanos = now;
            sink.accept(line(done, now));
        }
    }

    String line(long done, long now) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        double rate = done / seconds;
        double etaSeconds = rate > 0 ? (total - done) / rate : Double.POSITIVE_INFINITY;
        return String.format("%s: %,d/%,d (%.0f%%) at %,.0f/s, ETA %s", what, done, total, 100.0 * done / total, rate,
                formatSeconds(etaSeconds));
    }

    private static String formatSeconds(double seconds) {
        if (Double.isInfinite(seconds)) {
            return "unknown";
        }
        long whole = Math.round(seconds);
        return whole >= 60 ? String.format("%dm%02ds", whole / 60, whole % 60) : whole + "s";
    }
}
