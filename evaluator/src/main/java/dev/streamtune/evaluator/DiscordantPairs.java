package dev.streamtune.evaluator;

/**
 * The two off-diagonal cells of the paired 2×2 table that McNemar's test uses.
 *
 * @param championOnly   b: examples the champion got right and the challenger got wrong
 * @param challengerOnly c: examples the challenger got right and the champion got wrong
 */
public record DiscordantPairs(long championOnly, long challengerOnly) {
    public DiscordantPairs {
        if (championOnly < 0) {
            throw new IllegalArgumentException("championOnly must be >= 0, got " + championOnly);
        }
        if (challengerOnly < 0) {
            throw new IllegalArgumentException("challengerOnly must be >= 0, got " + challengerOnly);
        }
    }

    /** Counts the discordant pairs; index i of both arrays must be the same example. */
    public static DiscordantPairs of(boolean[] championCorrect, boolean[] challengerCorrect) {
        if (championCorrect == null || challengerCorrect == null) {
            throw new IllegalArgumentException("championCorrect and challengerCorrect must not be null");
        }
        if (championCorrect.length != challengerCorrect.length) {
            throw new IllegalArgumentException("championCorrect has " + championCorrect.length
                    + " examples but challengerCorrect has " + challengerCorrect.length
                    + "; a paired test needs the same examples");
        }
        long b = 0;
        long c = 0;
        for (int i = 0; i < championCorrect.length; i++) {
            if (championCorrect[i] && !challengerCorrect[i]) {
                b++;
            } else if (!championCorrect[i] && challengerCorrect[i]) {
                c++;
            }
        }
        return new DiscordantPairs(b, c);
    }

    public double twoSidedPValue() {
        return McNemar.twoSidedPValue(championOnly, challengerOnly);
    }

    public double oneSidedPValueChallengerBetter() {
        return McNemar.oneSidedPValueChallengerBetter(championOnly, challengerOnly);
    }
}
