package dev.streamtune.model.technique;

/**
 * SplitMix64: a counter-based generator whose whole state is one {@code long}. Unlike
 * {@link java.util.SplittableRandom}, the state can be read and restored, which is what makes a
 * checkpointed trainer continue bit-for-bit (dropout masks, replay sampling, initialisation).
 */
public final class DeterministicRandom {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    public DeterministicRandom(long seed) {
        this.state = seed;
    }

    /** The complete state; {@code new DeterministicRandom(r.state())} continues r's sequence exactly. */
    public long state() {
        return state;
    }

    public long nextLong() {
        state += GOLDEN_GAMMA;
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, bound) without modulo bias. */
    public long nextLong(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long limit = Long.MAX_VALUE - (Long.MAX_VALUE % bound);
        while (true) {
            long candidate = nextLong() >>> 1;
            if (candidate < limit) {
                return candidate % bound;
            }
        }
    }

    public int nextInt(int bound) {
        return (int) nextLong(bound);
    }

    /** Uniform in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal by Box-Muller; no cached second value, so the state stays one long. */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
