package dev.streamtune.datasets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** An immutable, named list of labelled examples with unique ids. */
public final class Corpus {

    private final String name;
    private final List<CorpusExample> examples;

    public Corpus(String name, List<CorpusExample> examples) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("corpus name is blank");
        }
        this.name = name;
        this.examples = List.copyOf(Objects.requireNonNull(examples, "examples"));
        Set<String> ids = new HashSet<>();
        for (CorpusExample example : this.examples) {
            if (!ids.add(example.id())) {
                throw new IllegalArgumentException("corpus " + name + ": duplicate id " + example.id());
            }
        }
    }

    /** Reads a whole gzip'd JSON-lines classpath resource. */
    public static Corpus fromResource(String name, String resource, LoadOptions options) {
        try (Stream<CorpusExample> stream = streamResource(resource, options)) {
            return new Corpus(name, stream.toList());
        }
    }

    /** Streams a gzip'd JSON-lines classpath resource lazily; close the stream when done. */
    public static Stream<CorpusExample> streamResource(String resource, LoadOptions options) {
        return JsonLinesReader.streamResource(resource, Objects.requireNonNull(options, "options"));
    }

    public String name() {
        return name;
    }

    public List<CorpusExample> examples() {
        return examples;
    }

    public int size() {
        return examples.size();
    }

    public SortedSet<String> labels() {
        return Collections.unmodifiableSortedSet(
                examples.stream().map(CorpusExample::label).collect(Collectors.toCollection(TreeSet::new)));
    }

    public SortedMap<String, Long> countByLabel() {
        TreeMap<String, Long> counts = examples.stream()
                .collect(Collectors.groupingBy(CorpusExample::label, TreeMap::new, Collectors.counting()));
        return Collections.unmodifiableSortedMap(counts);
    }

    /**
     * A deterministic subset of {@code n} examples whose label proportions match this corpus'
     * (largest-remainder rounding), in a shuffled order. The same corpus, {@code n} and seed give
     * the same subset in the same order, whatever the order of this corpus' examples.
     */
    public Corpus stratifiedSample(int n, long seed) {
        if (n < 1 || n > size()) {
            throw new IllegalArgumentException(
                    "sample size n must be between 1 and the corpus size " + size() + " of " + name + ", was " + n);
        }
        Map<String, List<CorpusExample>> byLabel = new TreeMap<>();
        examples.stream()
                .sorted(Comparator.comparing(CorpusExample::id))
                .forEach(e -> byLabel.computeIfAbsent(e.label(), k -> new ArrayList<>()).add(e));
        Map<String, Integer> quotas = allocate(byLabel, n);
        Random random = new Random(seed);
        List<CorpusExample> chosen = new ArrayList<>(n);
        for (Map.Entry<String, List<CorpusExample>> entry : byLabel.entrySet()) {
            List<CorpusExample> pool = new ArrayList<>(entry.getValue());
            Collections.shuffle(pool, random);
            chosen.addAll(pool.subList(0, quotas.get(entry.getKey())));
        }
        Collections.shuffle(chosen, random);
        return new Corpus(name + "-sample-" + n + "-seed-" + seed, chosen);
    }

    /**
     * A deterministic subset with exactly {@code perLabel} examples of every label that has at
     * least that many (labels with fewer are left out), in a shuffled order. For corpora whose
     * classes are very unequal, such as the fortune categories.
     */
    public Corpus balancedSample(int perLabel, long seed) {
        if (perLabel < 1) {
            throw new IllegalArgumentException("perLabel must be at least 1, was " + perLabel);
        }
        Map<String, List<CorpusExample>> byLabel = new TreeMap<>();
        examples.stream()
                .sorted(Comparator.comparing(CorpusExample::id))
                .forEach(e -> byLabel.computeIfAbsent(e.label(), k -> new ArrayList<>()).add(e));
        byLabel.values().removeIf(group -> group.size() < perLabel);
        if (byLabel.isEmpty()) {
            throw new IllegalArgumentException("perLabel " + perLabel + " exceeds the size of every label of "
                    + name + ": " + countByLabel());
        }
        Random random = new Random(seed);
        List<CorpusExample> chosen = new ArrayList<>();
        for (List<CorpusExample> pool : byLabel.values()) {
            List<CorpusExample> shuffled = new ArrayList<>(pool);
            Collections.shuffle(shuffled, random);
            chosen.addAll(shuffled.subList(0, perLabel));
        }
        Collections.shuffle(chosen, random);
        return new Corpus(name + "-balanced-" + perLabel + "-seed-" + seed, chosen);
    }

    /** The examples whose label is one of {@code keep}, in this corpus' order. */
    public Corpus withLabels(Set<String> keep) {
        Set<String> unknown = new TreeSet<>(keep);
        unknown.removeAll(labels());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("corpus " + name + " has no labels " + unknown + "; it has " + labels());
        }
        return new Corpus(name + "-" + String.join("+", new TreeSet<>(keep)),
                examples.stream().filter(e -> keep.contains(e.label())).toList());
    }

    /** Largest-remainder (Hamilton) apportionment of n over the label sizes; ties go to the label first by name. */
    private static Map<String, Integer> allocate(Map<String, List<CorpusExample>> byLabel, int n) {
        int total = byLabel.values().stream().mapToInt(List::size).sum();
        Map<String, Integer> quotas = new LinkedHashMap<>();
        List<Map.Entry<String, Double>> remainders = new ArrayList<>();
        int assigned = 0;
        for (Map.Entry<String, List<CorpusExample>> entry : byLabel.entrySet()) {
            double exact = (double) n * entry.getValue().size() / total;
            int floor = (int) Math.floor(exact);
            quotas.put(entry.getKey(), floor);
            remainders.add(Map.entry(entry.getKey(), exact - floor));
            assigned += floor;
        }
        remainders.sort(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        for (int i = 0; i < n - assigned; i++) {
            quotas.merge(remainders.get(i).getKey(), 1, Integer::sum);
        }
        return quotas;
    }

    @Override
    public String toString() {
        return "Corpus[" + name + ", " + size() + " examples, " + countByLabel() + "]";
    }
}
