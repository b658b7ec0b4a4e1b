package dev.streamtune.trainer;

import dev.streamtune.model.technique.DeterministicRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps a uniform random sample of up to {@code capacityPerClass} past examples of every class
 * (reservoir sampling per class) and hands out class-balanced draws, so that a head keeps seeing
 * old and rare classes while the stream moves on. All randomness comes from the caller's
 * generator, so a restored buffer and generator reproduce the same draws.
 */
public final class ClassBalancedReplayBuffer {
    private final int capacityPerClass;
    private final List<List<TrainingExample>> reservoirs = new ArrayList<>();
    private final List<Long> seenPerClass = new ArrayList<>();

    public ClassBalancedReplayBuffer(int capacityPerClass) {
        if (capacityPerClass < 0) {
            throw new IllegalArgumentException("capacityPerClass must be >= 0, got " + capacityPerClass);
        }
        this.capacityPerClass = capacityPerClass;
    }

    public static ClassBalancedReplayBuffer restore(int capacityPerClass, State state) {
        ClassBalancedReplayBuffer buffer = new ClassBalancedReplayBuffer(capacityPerClass);
        for (Reservoir reservoir : state.reservoirs()) {
            if (reservoir.examples().size() > capacityPerClass) {
                throw new IllegalArgumentException("saved replay reservoir for class " + reservoir.labelIndex() + " holds "
                        + reservoir.examples().size() + " examples, above capacityPerClass " + capacityPerClass);
            }
            buffer.ensureClass(reservoir.labelIndex());
            buffer.reservoirs.set(reservoir.labelIndex(), new ArrayList<>(reservoir.examples()));
            buffer.seenPerClass.set(reservoir.labelIndex(), reservoir.seen());
        }
        return buffer;
    }

    private void ensureClass(int labelIndex) {
        while (reservoirs.size() <= labelIndex) {
            reservoirs.add(new ArrayList<>());
            seenPerClass.add(0L);
        }
    }

    /** Algorithm R per class: the k-th example of a class replaces a random slot with probability capacity/k. */
    public void offer(TrainingExample example, DeterministicRandom rng) {
        if (capacityPerClass == 0) {
            return;
        }
        int label = example.labelIndex();
        ensureClass(label);
        long seen = seenPerClass.get(label) + 1;
        seenPerClass.set(label, seen);
        List<TrainingExample> reservoir = reservoirs.get(label);
        if (reservoir.size() < capacityPerClass) {
            reservoir.add(example);
        } else {
            long slot = rng.nextLong(seen);
            if (slot < capacityPerClass) {
                reservoir.set((int) slot, example);
            }
        }
    }

    /**
     * {@code count} examples, classes taken in turn from a random starting class, each example
     * uniform within its class; empty when nothing is stored.
     */
    public List<TrainingExample> sample(int count, DeterministicRandom rng) {
        List<Integer> classes = new ArrayList<>();
        for (int label = 0; label < reservoirs.size(); label++) {
            if (!reservoirs.get(label).isEmpty()) {
                classes.add(label);
            }
        }
        List<TrainingExample> drawn = new ArrayList<>(count);
        if (classes.isEmpty() || count <= 0) {
            return drawn;
        }
        int start = rng.nextInt(classes.size());
        for (int i = 0; i < count; i++) {
            List<TrainingExample> reservoir = reservoirs.get(classes.get((start + i) % classes.size()));
            drawn.add(reservoir.get(rng.nextInt(reservoir.size())));
        }
        return drawn;
    }

    public int capacityPerClass() {
        return capacityPerClass;
    }

    public int size() {
        return reservoirs.stream().mapToInt(List::size).sum();
    }

    public int sizeOf(int labelIndex) {
        return labelIndex < reservoirs.size() ? reservoirs.get(labelIndex).size() : 0;
    }

    public long seenOf(int labelIndex) {
        return labelIndex < seenPerClass.size() ? seenPerClass.get(labelIndex) : 0;
    }

    public State state() {
        List<Reservoir> saved = new ArrayList<>();
        for (int label = 0; label < reservoirs.size(); label++) {
            saved.add(new Reservoir(label, seenPerClass.get(label), reservoirs.get(label)));
        }
        return new State(saved);
    }

    public record State(List<Reservoir> reservoirs) {
        public State {
            reservoirs = List.copyOf(reservoirs);
        }
    }

    /** @param seen examples of this class offered so far (drives the reservoir's replacement odds) */
    public record Reservoir(int labelIndex, long seen, List<TrainingExample> examples) {
        public Reservoir {
            examples = List.copyOf(examples);
            if (labelIndex < 0 || seen < examples.size()) {
                throw new IllegalArgumentException("replay reservoir needs labelIndex >= 0 and seen >= its "
                        + examples.size() + " examples, got labelIndex=" + labelIndex + " seen=" + seen);
            }
        }
    }
}
