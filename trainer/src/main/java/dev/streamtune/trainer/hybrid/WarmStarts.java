package dev.streamtune.trainer.hybrid;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Earlier fits' solutions, by configuration ({@code prefix|set|C|balanced}), that the next fit of the same
 * configuration starts from. A selection round is the unit of keeping: when one ends, only the configurations it
 * fitted stay (the refits between rounds update one of them). A lexical solution is {@code buckets x labels}
 * floats, 2 MB for 2^18 buckets and two labels, so keeping every C and class weighting a search ever visited (the
 * grid's extensions past its largest C included) grew the trainer's live heap for as long as the searches kept
 * finding new ones; this way it is at its size after the first round.
 */
final class WarmStarts {
    private final Map<String, float[]> solutions = new HashMap<>();
    private final Set<String> round = new HashSet<>();
    private boolean inRound;

    /** The last solution of this configuration, or null. */
    float[] get(String key) {
        return solutions.get(key);
    }

    void put(String key, float[] theta) {
        solutions.put(key, theta);
        if (inRound) {
            round.add(key);
        }
    }

    /** A selection round starts: from now until {@link #endRound()}, the configurations fitted are the ones kept. */
    void beginRound() {
        round.clear();
        inRound = true;
    }

    /** The round ended: drops every solution it did not fit. */
    void endRound() {
        solutions.keySet().retainAll(round);
        round.clear();
        inRound = false;
    }

    void clear() {
        solutions.clear();
        round.clear();
        inRound = false;
    }

    Set<String> keys() {
        return Set.copyOf(solutions.keySet());
    }
}
