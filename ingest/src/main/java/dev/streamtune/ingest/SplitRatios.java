package dev.streamtune.ingest;

/**
 * The share of examples each split gets when the producer does not pin one. Each is in [0, 1] and
 * together they sum to 1 (within 1e-9, so that 0.8/0.1/0.1 written as decimals is accepted).
 */
public record SplitRatios(double train, double validation, double test) {
    private static final double TOLERANCE = 1e-9;

    public SplitRatios {
        check("train", train);
        check("validation", validation);
        check("test", test);
        double sum = train + validation + test;
        if (Math.abs(sum - 1.0) > TOLERANCE) {
            throw new IllegalArgumentException("split ratios train=" + train + ", validation=" + validation
                    + ", test=" + test + " sum to " + sum + "; they must sum to 1");
        }
    }

    /** 80% train, 10% validation, 10% test. */
    public static SplitRatios defaults() {
        return new SplitRatios(0.8, 0.1, 0.1);
    }

    private static void check(String name, double ratio) {
        if (!Double.isFinite(ratio) || ratio < 0 || ratio > 1) {
            throw new IllegalArgumentException("split ratio " + name + " must be in [0, 1], got " + ratio);
        }
    }
}
