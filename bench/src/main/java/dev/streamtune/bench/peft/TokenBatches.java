package dev.streamtune.bench.peft;

import dev.streamtune.model.peft.TokenSet;
import dev.streamtune.model.technique.DeterministicRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Orders and slices of a {@link TokenSet} for the benchmark's batches: shuffles, length buckets, picked rows. */
final class TokenBatches {
    private TokenBatches() {
    }

    /** Shuffled, then sorted by length inside windows of {@code bucketBatches} batches, cut, and the batches shuffled. */
    static List<int[]> bucketedBatches(TokenSet set, int batchSize, int bucketBatches, DeterministicRandom rng) {
        int[] order = shuffled(set.size(), rng);
        List<int[]> batches = new ArrayList<>();
        int window = batchSize * bucketBatches;
        for (int from = 0; from < order.length; from += window) {
            Integer[] slice = Arrays.stream(Arrays.copyOfRange(order, from, Math.min(order.length, from + window)))
                    .boxed().toArray(Integer[]::new);
            Arrays.sort(slice, Comparator.comparingInt(i -> set.ids()[i].length));
            for (int start = 0; start < slice.length; start += batchSize) {
                batches.add(Arrays.stream(Arrays.copyOfRange(slice, start, Math.min(slice.length, start + batchSize)))
                        .mapToInt(Integer::intValue).toArray());
            }
        }
        for (int i = batches.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int[] swap = batches.get(i);
            batches.set(i, batches.get(j));
            batches.set(j, swap);
        }
        return batches;
    }

    static int[] shuffled(int size, DeterministicRandom rng) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    static Integer[] byLength(TokenSet set) {
        Integer[] order = new Integer[set.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> set.ids()[i].length));
        return order;
    }

    static int[][] pickRows(int[][] rows, int[] indices) {
        int[][] picked = new int[indices.length][];
        for (int i = 0; i < indices.length; i++) {
            picked[i] = rows[indices[i]];
        }
        return picked;
    }

    static int[][] pickRows(int[][] rows, Integer[] indices) {
        int[][] picked = new int[indices.length][];
        for (int i = 0; i < indices.length; i++) {
            picked[i] = rows[indices[i]];
        }
        return picked;
    }

    static int[] pick(int[] values, int[] indices) {
        int[] picked = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            picked[i] = values[indices[i]];
        }
        return picked;
    }

    static float[] ones(int count) {
        float[] values = new float[count];
        Arrays.fill(values, 1f);
        return values;
    }
}
