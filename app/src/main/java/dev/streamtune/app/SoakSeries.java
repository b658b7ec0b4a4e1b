package dev.streamtune.app;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The arithmetic of {@code bench soak}, kept apart from the cluster so it is tested on its own: a series of
 * (seconds, value) samples, its robust (Theil-Sen) slope after a warm-up, whether it is flat, and the parsers for what
 * the operating system ({@code /proc/PID/status}) and {@code jstat -gc} print about a process.
 */
final class SoakSeries {
    /** One measurement: seconds since the soak began, and the value. */
    record Point(double seconds, double value) {}

    /**
     * A fitted line: {@code slopePerSecond}, the series' mean, and the change the line makes over its window
     * ({@code slope * (last - first)}).
     */
    record Fit(double slopePerSecond, double mean, double windowSeconds, int points) {
        double change() {
            return slopePerSecond * windowSeconds;
        }
    }

    private final List<Point> points = new ArrayList<>();

    synchronized void add(double seconds, double value) {
        if (!Double.isFinite(seconds) || !Double.isFinite(value)) {
            throw new IllegalArgumentException("a sample must be finite, got (" + seconds + ", " + value + ")");
        }
        points.add(new Point(seconds, value));
    }

    synchronized List<Point> points() {
        return List.copyOf(points);
    }

    synchronized OptionalDouble last() {
        return points.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(points.get(points.size() - 1).value());
    }

    /**
     * The Theil-Sen line through the samples taken at or after {@code fromSeconds} (the warm-up before it is left
     * out: class loading, JIT, page cache and the first GCs make every JVM grow at first): its slope is the median
     * of the slopes between every two samples. Unlike least squares it is not moved by a few outliers (up to about
     * 29% of the samples), which a soak has by nature: a full GC that happens to run while the trainer refits holds
     * the fit's working arrays live, and one such sample near the end tilts a least-squares line into a false
     * "grows", while the floor the process returns to stays level. A leak moves every sample, so the median sees
     * it. Null with fewer than three samples or no spread in time.
     */
    synchronized Fit fit(double fromSeconds) {
        List<Point> kept = points.stream().filter(p -> p.seconds() >= fromSeconds).toList();
        if (kept.size() < 3) {
            return null;
        }
        List<Double> slopes = new ArrayList<>();
        for (int i = 0; i < kept.size(); i++) {
            for (int j = i + 1; j < kept.size(); j++) {
                double dt = kept.get(j).seconds() - kept.get(i).seconds();
                if (dt != 0) {
                    slopes.add((kept.get(j).value() - kept.get(i).value()) / dt);
                }
            }
        }
        if (slopes.isEmpty()) {
            return null;
        }
        slopes.sort(null);
        int n = slopes.size();
        double median = n % 2 == 1 ? slopes.get(n / 2) : (slopes.get(n / 2 - 1) + slopes.get(n / 2)) / 2;
        double mean = kept.stream().mapToDouble(Point::value).sum() / kept.size();
        double window = kept.get(kept.size() - 1).seconds() - kept.get(0).seconds();
        return new Fit(median, mean, window, kept.size());
    }

    /**
     * Whether a fitted memory series is flat: the line's change over the window is within {@code fraction} of its
     * mean. A leak of a few MB an hour on a 300 MB process passes at 5% over 30 minutes; one that grows the process
     * by a tenth in that time does not.
     */
    static boolean flatRelative(Fit fit, double fraction) {
        return fit != null && Math.abs(fit.change()) <= fraction * Math.max(fit.mean(), 1e-9);
    }

    /**
     * Whether a fitted lag series is flat: over the window the line grows by no more than {@code records} (the
     * backlog of a few seconds of input). Lag that shrinks is flat: the stage keeps up.
     */
    static boolean flatAbsolute(Fit fit, double records) {
        return fit != null && fit.change() <= records;
    }

    /** Resident set size in bytes from the text of {@code /proc/PID/status} ({@code VmRSS: 123456 kB}). */
    static long rssBytes(String procStatus) {
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
                if (parts.length != 2 || !parts[1].equals("kB")) {
                    throw new IllegalArgumentException("VmRSS line not as expected: '" + line + "'");
                }
                return Long.parseLong(parts[0]) * 1024;
            }
        }
        throw new IllegalArgumentException("no VmRSS line in /proc status");
    }

    /**
     * Used heap in bytes (survivors, eden and old generation) and the old generation's part, from the two lines
     * {@code jstat -gc PID} prints (a header of column names, then the values in kB).
     */
    static long[] heapBytes(String jstatGc) {
        String[] lines = jstatGc.strip().split("\n");
        if (lines.length < 2) {
            throw new IllegalArgumentException("jstat -gc printed " + lines.length + " line(s), expected a header and values");
        }
        String[] names = lines[lines.length - 2].trim().split("\\s+");
        String[] values = lines[lines.length - 1].trim().split("\\s+");
        if (names.length != values.length) {
            throw new IllegalArgumentException("jstat -gc: " + names.length + " columns but " + values.length + " values");
        }
        double used = 0;
        double old = -1;
        int found = 0;
        for (int i = 0; i < names.length; i++) {
            switch (names[i]) {
                case "S0U", "S1U", "EU" -> {
                    used += Double.parseDouble(values[i]);
                    found++;
                }
                case "OU" -> {
                    old = Double.parseDouble(values[i]);
                    used += old;
                    found++;
                }
                default -> { }
            }
        }
        if (found != 4) {
            throw new IllegalArgumentException("jstat -gc lacks one of S0U, S1U, EU, OU: " + String.join(" ", names));
        }
        return new long[] {(long) (used * 1024), (long) (old * 1024)};
    }

    /**
     * The featurizer's rate from a backlog: given the seconds at which the featurized count first reached 10% and
     * 90% of {@code backlog}, the examples per second between them (the ramp-up and the tail left out).
     */
    static double backlogRate(int backlog, double secondsAt10, double secondsAt90) {
        if (backlog < 10 || !(secondsAt90 > secondsAt10)) {
            throw new IllegalArgumentException("a backlog of " + backlog + " examples between " + secondsAt10 + " s and "
                    + secondsAt90 + " s gives no rate");
        }
        return 0.8 * backlog / (secondsAt90 - secondsAt10);
    }
}
