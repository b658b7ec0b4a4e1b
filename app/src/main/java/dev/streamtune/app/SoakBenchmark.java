package dev.streamtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.dashboard.DashboardConfig;
import dev.streamtune.dashboard.DashboardSnapshot.GroupLag;
import dev.streamtune.dashboard.LagMonitor;
import dev.streamtune.datasets.Corpus;
import dev.streamtune.datasets.CorpusExample;
import dev.streamtune.trainer.hybrid.HybridTrainer;
import dev.streamtune.trainer.service.TrainerServiceConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench soak}: the 3-broker cluster of processes ({@link LocalCluster}) fed for a long time at 80% of the
 * featurizer rate measured on that same cluster, while every process' resident memory and used heap and every
 * consumer group's lag are sampled; then the slope of each series after a warm-up, and whether it is flat. A leak
 * shows as memory that keeps growing, a stage that cannot keep up as lag that keeps growing.
 *
 * <p>The rate is measured first: a backlog sent at once, and the features counted as they are committed (the 10%
 * to 90% part, so neither the ramp-up nor the tail counts). The corpus is sent again and again with the pass number
 * in the ids, so ingest's dedupe sees new examples throughout.
 *
 * <p>What is judged is the steady state. The used heap of a JVM saw-tooths with every collection and its old
 * generation fills for minutes before a mixed collection empties it, so neither says whether anything leaks; every
 * {@code --gc-every} samples the soak asks each process for a full collection ({@code jcmd PID GC.run}) and reads the
 * heap right after it: the live heap, whose slope is the leak. And the services keep bounded stores in memory on
 * purpose (the trainer's retained train and validation examples, the evaluator's held-out sets), which at their
 * defaults take hours to fill at this rate; the soak sets them small ({@code --max-retained}, {@code --max-held-out})
 * so they fill during the warm-up and growth after it is growth that has no bound.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Feed the 3-broker cluster of processes at 80%% of its measured featurizer rate for a long time,",
                "sampling consumer lag and the heap and RSS of every process, and report their slopes."})
final class SoakBenchmark implements Callable<Integer> {
    private static final String TASK = "soak";
    /** A memory series is flat when its fitted line changes it by at most this fraction over the window. */
    static final double MEMORY_FLAT_FRACTION = 0.10;
    /** Lag is flat when its fitted line grows by at most this many seconds of input over the window. */
    static final double LAG_FLAT_SECONDS_OF_INPUT = 60;

    @Option(names = "--minutes", defaultValue = "30", description = "How long the soak runs at the chosen rate. Default: ${DEFAULT-VALUE}")
    double minutes;

    @Option(names = "--rate", description = "Examples per second. Default: 80%% of the featurizer rate measured on the cluster first.")
    Double rate;

    @Option(names = "--load", defaultValue = "0.8", description = "The share of the measured featurizer rate to feed. Default: ${DEFAULT-VALUE}")
    double load;

    @Option(names = "--backlog", defaultValue = "600", description = "Examples sent at once to measure the featurizer rate. Default: ${DEFAULT-VALUE}")
    int backlog;

    @Option(names = "--sample-seconds", defaultValue = "30", description = "Seconds between samples. Default: ${DEFAULT-VALUE}")
    int sampleSeconds;

    @Option(names = "--warmup-minutes", description = "Samples before this are left out of the slopes. Default: a fifth of the soak, at least 3 minutes.")
    Double warmupMinutes;

    @Option(names = "--gc-every", defaultValue = "4", description = "Every this many samples, a full GC in each process before its heap is read (the live heap). Default: ${DEFAULT-VALUE}")
    int gcEvery;

    @Option(names = "--max-retained", defaultValue = "2000", description = "The soak task's max_retained (the trainer keeps this many train examples and a quarter as many validation ones). Default: ${DEFAULT-VALUE}")
    int maxRetained;

    @Option(names = "--max-held-out", defaultValue = "500", description = "The evaluator's held-out examples per split. Default: ${DEFAULT-VALUE}")
    int maxHeldOut;

    @Option(names = "--data-dir", description = "Where the cluster keeps its logs and state. Default: a fresh temporary directory.")
    Path dataDir;

    @Option(names = "--json", description = "Also write the figures, every sample included, as JSON to this file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (minutes <= 0 || sampleSeconds < 1 || backlog < 50 || load <= 0 || load > 1 || gcEvery < 1
                || maxRetained < 4 || maxHeldOut < 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--minutes must be > 0, --sample-seconds >= 1, --backlog >= 50, --load in (0, 1], --gc-every >= 1,"
                            + " --max-retained >= 4 and --max-held-out >= 1");
        }
        Path data = dataDir != null ? dataDir : Files.createTempDirectory("streamtune-soak");
        double warmup = 60 * (warmupMinutes != null ? warmupMinutes : Math.max(3, minutes / 5));
        Corpus spam = ProduceCommand.BundledCorpus.spam.load(0);
        System.out.printf("streamtune bench soak: %.0f min, samples every %d s, slopes after %.0f s of warm-up, data in %s%n",
                minutes, sampleSeconds, warmup, data);
        System.out.printf("  bounded stores set to fill during the warm-up: max_retained %d, max held-out %d; a full GC every %d samples%n",
                maxRetained, maxHeldOut, gcEvery);
        try (LocalCluster cluster = LocalCluster.start(data, 3, 2, 2, 0, 0,
                Map.of(LocalCluster.Kind.evaluator, List.of("--max-held-out", String.valueOf(maxHeldOut))),
                line -> System.out.println("  " + line));
             FeatureCounter featurized = new FeatureCounter(cluster.bootstrapServers(),
                     ConnectionOptions.of(cluster.bootstrapServers(), cluster.registryUrl()).topics()
                             .features(TrainerServiceConfig.DEFAULT_BACKBONE))) {
            ConnectionOptions c = ConnectionOptions.of(cluster.bootstrapServers(), cluster.registryUrl());
            TaskCommand.publish(c, TaskSpec.newBuilder().setTask(TASK).setLabels(List.copyOf(spam.labels()))
                    .setLabelSetClosed(true).setTechnique("hybrid")
                    .setSettings(new LinkedHashMap<>(Map.of(HybridTrainer.MAX_RETAINED, String.valueOf(maxRetained))))
                    .setDescription("bench soak: " + spam.name()).setCreatedAt(Instant.now()).build());
            AtomicLong acknowledged = new AtomicLong();
            CorpusProducer.Acknowledged count = (id, ts) -> acknowledged.incrementAndGet();

            Double measured = null;
            double chosen;
            if (rate != null) {
                chosen = rate;
                System.out.printf("  rate: %.1f examples/s as given%n", chosen);
            } else {
                measured = measureFeaturizerRate(c, spam, featurized, count);
                chosen = load * measured;
                System.out.printf("  featurizer rate on this cluster: %.1f examples/s; soaking at %.0f%% of it, %.1f examples/s%n",
                        measured, load * 100, chosen);
            }

            long total = (long) Math.ceil(chosen * minutes * 60);
            Corpus stream = cycled(spam, total, 1);
            AtomicBoolean producing = new AtomicBoolean(true);
            Thread producer = new Thread(() -> {
                try {
                    CorpusProducer.produce(c.kafka(), c.registry(), c.serde(), c.topics().raw(), TASK, stream, chosen, count);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    producing.set(false);
                }
            }, "soak-producer");

            Map<String, SoakSeries> rss = new TreeMap<>();
            Map<String, SoakSeries> heap = new TreeMap<>();
            Map<String, SoakSeries> old = new TreeMap<>();
            Map<String, SoakSeries> live = new TreeMap<>();
            Map<String, SoakSeries> lag = new TreeMap<>();
            List<Map<String, Object>> samples = new ArrayList<>();
            DashboardConfig lagConfig = DashboardConfig.of(0, cluster.bootstrapServers(), cluster.registryUrl());
            Map<String, Long> startPids = new HashMap<>();
            cluster.members().forEach(m -> startPids.put(m.name, m.pid()));

            long start = System.nanoTime();
            long featuredAtStart = featurized.count();
            producer.start();
            long end = start + (long) (minutes * 60e9);
            int sampleNumber = 0;
            for (long next = start; ; next += sampleSeconds * 1_000_000_000L) {
                sleepUntil(next);
                boolean collect = sampleNumber++ % gcEvery == gcEvery - 1;
                double t = (System.nanoTime() - start) / 1e9;
                Map<String, Object> sample = new LinkedHashMap<>();
                sample.put("t_s", Math.round(t));
                for (LocalCluster.Member m : cluster.members()) {
                    long pid = m.pid();
                    if (!m.alive() || pid != startPids.get(m.name)) {
                        throw new IllegalStateException(m.name + " died during the soak; see " + m.log());
                    }
                    try {
                        long r = SoakSeries.rssBytes(Files.readString(Path.of("/proc", String.valueOf(pid), "status")));
                        long[] h = SoakSeries.heapBytes(run("jstat", "-gc", String.valueOf(pid)));
                        rss.computeIfAbsent(m.name, k -> new SoakSeries()).add(t, r / 1048576.0);
                        heap.computeIfAbsent(m.name, k -> new SoakSeries()).add(t, h[0] / 1048576.0);
                        old.computeIfAbsent(m.name, k -> new SoakSeries()).add(t, h[1] / 1048576.0);
                        Map<String, Object> values = new LinkedHashMap<>(Map.of("rss_mb", r / 1048576,
                                "heap_mb", h[0] / 1048576, "old_mb", h[1] / 1048576));
                        if (collect) {
                            run("jcmd", String.valueOf(pid), "GC.run");
                            long[] after = SoakSeries.heapBytes(run("jstat", "-gc", String.valueOf(pid)));
                            live.computeIfAbsent(m.name, k -> new SoakSeries()).add(t, after[0] / 1048576.0);
                            values.put("live_heap_mb", after[0] / 1048576);
                        }
                        sample.put(m.name, values);
                    } catch (IOException | RuntimeException e) {
                        System.out.printf("  sample of %s at %.0f s failed: %s%n", m.name, t, e.getMessage());
                    }
                }
                try {
                    Map<String, Long> groups = new TreeMap<>();
                    for (GroupLag g : LagMonitor.measureOnce(lagConfig)) {
                        lag.computeIfAbsent(g.group(), k -> new SoakSeries()).add(t, g.lag());
                        groups.put(g.group(), g.lag());
                    }
                    sample.put("lag", groups);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    System.out.printf("  lag at %.0f s not measured: %s%n", t, e.getCause() != null ? e.getCause() : e);
                }
                long featured = featurized.count() - featuredAtStart;
                sample.put("acknowledged", acknowledged.get());
                sample.put("featurized", featured);
                samples.add(sample);
                double left = Math.max(0, (end - System.nanoTime()) / 1e9);
                long totalRss = rss.values().stream().mapToLong(s -> (long) s.last().orElse(0)).sum();
                long totalLag = lag.values().stream().mapToLong(s -> (long) s.last().orElse(0)).sum();
                System.out.printf("  soak %5.0f s (%3.0f%%, ETA %4.0f s): %d produced, %d featurized (%.1f/s), lag %d, RSS %d MB in %d processes%n",
                        t, 100 * t / (minutes * 60), left, acknowledged.get(), featured, featured / Math.max(t, 1),
                        totalLag, totalRss, rss.size());
                if (System.nanoTime() >= end) {
                    break;
                }
            }
            producing.set(false);
            producer.interrupt();
            producer.join(30_000);

            return report(rss, heap, old, live, lag, warmup, chosen, measured, samples);
        }
    }

    private int report(Map<String, SoakSeries> rss, Map<String, SoakSeries> heap, Map<String, SoakSeries> old,
                       Map<String, SoakSeries> live, Map<String, SoakSeries> lag, double warmup, double chosen, Double measured,
                       List<Map<String, Object>> samples) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("minutes", minutes);
        out.put("rate_per_s", round(chosen));
        out.put("measured_featurizer_rate_per_s", measured == null ? null : round(measured));
        out.put("warmup_s", warmup);
        List<String> notFlat = new ArrayList<>();
        System.out.printf("%nslopes after %.0f s of warm-up (flat: RSS and live heap, the heap after a full GC, within %.0f%% of"
                + " their mean over the window; lag within %.0f s of input):%n", warmup, MEMORY_FLAT_FRACTION * 100,
                LAG_FLAT_SECONDS_OF_INPUT);
        System.out.printf("  %-14s %9s %11s %9s %11s %11s %9s %11s  %s%n", "process", "RSS MB", "RSS MB/h", "heap MB",
                "heap MB/h", "old MB/h", "live MB", "live MB/h", "");
        Map<String, Object> processes = new LinkedHashMap<>();
        for (String name : rss.keySet()) {
            SoakSeries.Fit r = rss.get(name).fit(warmup);
            SoakSeries.Fit h = heap.get(name).fit(warmup);
            SoakSeries.Fit o = old.get(name).fit(warmup);
            SoakSeries.Fit l = live.containsKey(name) ? live.get(name).fit(warmup) : null;
            // used heap and old generation saw-tooth with the collections; the live heap is what a leak would grow
            boolean flat = SoakSeries.flatRelative(r, MEMORY_FLAT_FRACTION) && SoakSeries.flatRelative(l, MEMORY_FLAT_FRACTION);
            if (!flat) {
                notFlat.add(name);
            }
            System.out.printf("  %-14s %9.0f %+11.1f %9.0f %+11.1f %+11.1f %9.0f %+11.1f  %s%n", name, mean(r), perHour(r),
                    mean(h), perHour(h), perHour(o), mean(l), perHour(l), flat ? "flat" : "GROWS");
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("rss_mb_mean", round(mean(r)));
            p.put("rss_mb_per_h", round(perHour(r)));
            p.put("heap_mb_mean", round(mean(h)));
            p.put("heap_mb_per_h", round(perHour(h)));
            p.put("old_gen_mb_per_h", round(perHour(o)));
            p.put("live_heap_mb_mean", round(mean(l)));
            p.put("live_heap_mb_per_h", round(perHour(l)));
            p.put("flat", flat);
            processes.put(name, p);
        }
        out.put("processes", processes);
        System.out.printf("  %-40s %9s %12s  %s%n", "consumer group", "lag mean", "lag per min", "");
        Map<String, Object> groups = new LinkedHashMap<>();
        for (Map.Entry<String, SoakSeries> e : lag.entrySet()) {
            SoakSeries.Fit f = e.getValue().fit(warmup);
            boolean flat = SoakSeries.flatAbsolute(f, LAG_FLAT_SECONDS_OF_INPUT * chosen);
            if (!flat) {
                notFlat.add(e.getKey());
            }
            double perMinute = f == null ? Double.NaN : f.slopePerSecond() * 60;
            System.out.printf("  %-40s %9.0f %+12.1f  %s%n", e.getKey(), mean(f), perMinute, flat ? "flat" : "GROWS");
            groups.put(e.getKey(), Map.of("lag_mean", round(mean(f)), "lag_per_min", round(perMinute), "flat", flat));
        }
        out.put("lag", groups);
        out.put("flat", notFlat.isEmpty());
        out.put("samples", samples);
        System.out.printf("bench soak: %.0f min at %.1f examples/s, %d processes, %d consumer groups: %s%n", minutes, chosen,
                rss.size(), lag.size(), notFlat.isEmpty() ? "lag, heap and RSS flat" : "NOT FLAT: " + notFlat);
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), out);
        }
        return notFlat.isEmpty() ? 0 : 1;
    }

    /** Sends a backlog at once and times its features; the examples per second between 10% and 90% of it. */
    private double measureFeaturizerRate(ConnectionOptions c, Corpus spam, FeatureCounter featurized,
                                         CorpusProducer.Acknowledged count) throws InterruptedException {
        long before = featurized.count();
        Corpus burst = cycled(spam, backlog, 0);
        long start = System.nanoTime();
        CorpusProducer.produce(c.kafka(), c.registry(), c.serde(), c.topics().raw(), TASK, burst, 0, count);
        System.out.printf("  measuring the featurizer rate: %d examples sent at once%n", backlog);
        // about 80% of examples land in train; dev and test are featurized too, but the dead-lettered are not
        double at10 = Double.NaN;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        long lastPrint = 0;
        while (System.nanoTime() < deadline) {
            long done = featurized.count() - before;
            double t = (System.nanoTime() - start) / 1e9;
            if (Double.isNaN(at10) && done >= backlog / 10) {
                at10 = t;
            }
            if (done >= backlog * 9L / 10) {
                return SoakSeries.backlogRate(backlog, at10, t);
            }
            if (System.nanoTime() - lastPrint > 15e9) {
                System.out.printf("    %d of %d featurized after %.0f s%n", done, backlog, t);
                lastPrint = System.nanoTime();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the featurizers did not get through 90% of a backlog of " + backlog + " in 15 minutes");
    }

    /** {@code n} examples: the corpus again and again, the pass number in the id ({@code #pP-k}) so each is new. */
    static Corpus cycled(Corpus corpus, long n, int pass) {
        List<CorpusExample> out = new ArrayList<>((int) n);
        List<CorpusExample> all = corpus.examples();
        for (long i = 0; i < n; i++) {
            CorpusExample e = all.get((int) (i % all.size()));
            out.add(new CorpusExample(e.id() + "#p" + pass + "-" + (i / all.size()), e.group(), e.label(), e.text()));
        }
        return new Corpus(corpus.name() + "-cycled", out);
    }

    /** Counts the committed records of the features topic as they arrive (a read_committed consumer of its own). */
    private static final class FeatureCounter implements AutoCloseable {
        private final AtomicLong count = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        FeatureCounter(String bootstrap, String topic) {
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            thread = new Thread(() -> {
                try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
                    // assigned, not subscribed: no consumer group, so the counter is not among the lags it samples
                    List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofMinutes(1))
                            .stream().map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                    while (running.get()) {
                        count.addAndGet(consumer.poll(Duration.ofMillis(500)).count());
                    }
                } catch (RuntimeException e) {
                    if (running.get()) {
                        System.out.println("  feature counter stopped: " + e);
                    }
                }
            }, "soak-feature-counter");
            thread.setDaemon(true);
            thread.start();
        }

        long count() {
            return count.get();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
        }
    }

    private static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out.strip());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            p.destroyForcibly();
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private static double perHour(SoakSeries.Fit f) {
        return f == null ? Double.NaN : f.slopePerSecond() * 3600;
    }

    private static double mean(SoakSeries.Fit f) {
        return f == null ? Double.NaN : f.mean();
    }

    private static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 10) / 10.0;
    }
}
