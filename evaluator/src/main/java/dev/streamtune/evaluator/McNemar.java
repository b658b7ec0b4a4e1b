package dev.streamtune.evaluator;

/**
 * The exact (binomial) McNemar test for two classifiers scored on the same examples.
 *
 * <p>Only the discordant pairs carry information: {@code b} = examples the champion got right and the challenger
 * got wrong, {@code c} = the reverse. Under the null hypothesis (both equally accurate) each discordant pair is a
 * fair coin, so with n = b + c, X ~ Binomial(n, 1/2):
 * <ul>
 *   <li>two-sided p = min(1, 2 · P(X ≤ min(b, c)));
 *   <li>one-sided p for "the challenger is better" = P(X ≥ c) = P(X ≤ b).
 * </ul>
 * With no discordant pairs there is no evidence at all, and both p-values are 1.
 *
 * <p>The exact test rather than the chi-squared approximation because a challenger often differs from its champion
 * on only a handful of validation examples, where the approximation is poor. The binomial tail is summed from its
 * largest term downwards as a ratio series and scaled by that term computed in log space, so it stays accurate
 * (relative error around 1e-12) for n up to millions, where {@code 2^-n} and the binomial coefficients themselves
 * overflow a double. A p-value below about 1e-308 underflows to 0, far below any significance level.
 */
public final class McNemar {
    private static final double LN2 = Math.log(2);

    private McNemar() {}

    /** Two-sided exact p-value for b champion-only-correct and c challenger-only-correct pairs. */
    public static double twoSidedPValue(long b, long c) {
        checkCounts(b, c);
        long n = b + c;
        if (n == 0) {
            return 1.0;
        }
        return Math.min(1.0, 2 * binomialHalfCdf(n, Math.min(b, c)));
    }

    /** One-sided exact p-value for the alternative "the challenger is right more often than the champion". */
    public static double oneSidedPValueChallengerBetter(long b, long c) {
        checkCounts(b, c);
        long n = b + c;
        if (n == 0) {
            return 1.0;
        }
        return binomialHalfCdf(n, b);
    }

    /** P(X ≤ m) for X ~ Binomial(n, 1/2). */
    static double binomialHalfCdf(long n, long m) {
        if (m < 0) {
            return 0.0;
        }
        if (m >= n) {
            return 1.0;
        }
        if (2 * m >= n) {
            // upper half: by symmetry P(X <= m) = 1 - P(X <= n - m - 1), and that tail is the well-conditioned one
            return 1.0 - binomialHalfCdf(n, n - m - 1);
        }
        // m < n/2, so the terms C(n, i) grow with i up to m: sum t_i / t_m backwards, where t_{i-1} / t_i = i / (n - i + 1)
        double ratio = 1.0;
        double sum = 1.0;
        for (long i = m; i >= 1; i--) {
            ratio *= (double) i / (double) (n - i + 1);
            sum += ratio;
            if (ratio < 1e-17 * sum) {
                break;
            }
        }
        double logLargestTerm = logBinomialCoefficient(n, m) - n * LN2;
        return Math.exp(logLargestTerm + Math.log(sum));
    }

    /** ln C(n, m) = Σ_{j=1..m} ln(1 + (n - m) / j), exact to rounding without a log-gamma function. */
    static double logBinomialCoefficient(long n, long m) {
        long k = Math.min(m, n - m);
        double sum = 0;
        for (long j = 1; j <= k; j++) {
            sum += Math.log1p((double) (n - k) / j);
        }
        return sum;
    }

    private static void checkCounts(long b, long c) {
        if (b < 0) {
            throw new IllegalArgumentException("b (champion-only correct) must be >= 0, got " + b);
        }
        if (c < 0) {
            throw new IllegalArgumentException("c (challenger-only correct) must be >= 0, got " + c);
        }
        if (b > Long.MAX_VALUE - c) {
            throw new IllegalArgumentException("b + c overflows a long: b=" + b + ", c=" + c);
        }
    }
}
