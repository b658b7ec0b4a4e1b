package dev.streamtune.bench.featurizer;

import java.io.PrintStream;
import java.util.Locale;

/** Prints a status line (phase, done/total, rate, ETA) at most once per interval, and once at the end. */
final class ProgressMeter {

    private final PrintStream out;
    private final long total;
    private final long intervalNanos;
    private final long startNanos;
    private long done;
    private long lastPrintNanos;

    ProgressMeter(PrintStream out, long total, long intervalMillis) {
        this.out = out;
        this.total = total;
        this.intervalNanos = intervalMillis * 1_000_000L;
        this.startNanos = System.nanoTime();
        this.lastPrintNanos = startNanos;
    }

    void advance(String phase, long units) {
        done += units;
        long now = System.nanoTime();
        if (now - lastPrintNanos >= intervalNanos || done >= total) {
            lastPrintNanos = now;
            double seconds = (now - startNanos) / 1e9;
            double rate = seconds > 0 ? done / seconds : 0;
            double eta = rate > 0 ? (total - done) / rate : Double.NaN;
            out.printf(Locale.ROOT, "  [%s] %d/%d texts (%.0f%%), %.1f texts/s overall, ETA %.0f s%n",
                    phase, done, total, 100.0 * done / total, rate, eta);
        }
    }
}
