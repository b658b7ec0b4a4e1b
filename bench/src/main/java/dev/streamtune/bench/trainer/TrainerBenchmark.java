package dev.streamtune.bench.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtune.model.technique.DeterministicRandom;
import dev.streamtune.trainer.DecaySchedule;
import dev.streamtune.trainer.HeadConfig;
import dev.streamtune.trainer.HeadTrainer;
import dev.streamtune.trainer.TrainingExample;
import dev.streamtune.trainer.OptimizerConfig;
import dev.streamtune.trainer.ProgressReporter;
import dev.streamtune.trainer.TrainerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Trained examples per second of the linear and the MLP head (384-dim pooled features, 2
 * classes, batch 32, AdamW with warm-up and cosine decay, class-weighted loss, same thread
 * count) against the same loop in PyTorch from Python, on the same features, in the same run;
 * and resident memory after 1,000 steps against after 100,000 steps.
 *
 * <pre>
 * java -cp ... dev.streamtune.bench.trainer.TrainerBenchmark [--steps N] [--rss-steps N] [--threads N] [--json FILE]
 * </pre>
 */
public final class TrainerBenchmark {
    public static final int DIM = 384;
    public static final int CLASSES = 2;
    public static final int BATCH = 32;
    public static final int MLP_HIDDEN = 256;
    public static final float MLP_DROPOUT = 0.1f;
    private static final int DATASET_ROWS = 8_192;
    private static final int RSS_BASELINE_STEP = 1_000;
    private static final String PYTHON_SCRIPT = "torch_head_bench.py";
    /** Timed steps are split into this many segments per side, alternating Java and Python; the fastest counts. */
    static final int ROUNDS = 5;

    private TrainerBenchmark() {
    }

    /**
     * @param steps timed steps per head (after {@code warmupSteps} untimed ones)
     * @param rssSteps steps of the memory run; RSS is read after 1,000 (or 1% of them if fewer) and at the end
     * @param python interpreter with torch, or null to skip the Python baseline
     */
    public record Options(int steps, int warmupSteps, int rssSteps, int threads, String python, Path json) {
        public Options {
            if (steps < 1) {
                throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
            }
            if (warmupSteps < 0) {
                throw new IllegalArgumentException("--warmup must be >= 0, got " + warmupSteps);
            }
            if (rssSteps < 2) {
                throw new IllegalArgumentException("--rss-steps must be >= 2, got " + rssSteps);
            }
            if (threads < 1 || threads > 256) {
                throw new IllegalArgumentException("--threads must be in [1, 256], got " + threads);
            }
        }

        public static Options defaults() {
            return new Options(20_000, 1_000, 100_000, 1, "/usr/bin/python3", null);
        }
    }

    /** Examples/s of one head in Java and Python; python figures are NaN when the baseline was skipped. */
    public record HeadFigures(double examplesPerS, double pythonExamplesPerS, double ratio) {
    }

    public record Result(HeadFigures linear, HeadFigures mlp, long rssAfterBaselineKb, long rssAfterAllKb,
            int rssBaselineStep, int rssSteps, double rssGrowth, int threads) {
    }

    public static void main(String[] args) throws Exception {
        Options options = parse(args);
        // DJL reads these when the PyTorch engine loads, i.e. before the first NDManager exists
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(options.threads()));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Result result = run(options, System.out);
        if (options.json() != null) {
            writeJson(result, options.json());
            System.out.println("wrote " + options.json());
        }
    }

    static Options parse(String[] args) {
        Options defaults = Options.defaults();
        int steps = defaults.steps();
        int warmup = defaults.warmupSteps();
        int rssSteps = defaults.rssSteps();
        int threads = defaults.threads();
        String python = defaults.python();
        Path json = null;
        boolean warmupGiven = false;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--no-python")) {
                python = null;
                continue;
            }
            if (!List.of("--steps", "--warmup", "--rss-steps", "--threads", "--python", "--json").contains(flag)) {
                throw new IllegalArgumentException("unknown option " + flag
                        + "; known: --steps N --warmup N --rss-steps N --threads N --python PATH --no-python --json FILE");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--steps" -> steps = parseInt(flag, value);
                case "--warmup" -> {
                    warmup = parseInt(flag, value);
                    warmupGiven = true;
                }
                case "--rss-steps" -> rssSteps = parseInt(flag, value);
                case "--threads" -> threads = parseInt(flag, value);
                case "--python" -> python = value;
                case "--json" -> json = Path.of(value);
                default -> throw new IllegalStateException("option list and switch disagree on " + flag);
            }
        }
        if (!warmupGiven) {
            warmup = Math.min(warmup, Math.max(1, steps / 10));
        }
        return new Options(steps, warmup, rssSteps, threads, python, json);
    }

    private static int parseInt(String flag, String value) {
        try {
            return Integer.parseInt(value.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs an integer, got '" + value + "'");
        }
    }

    public static Result run(Options options, PrintStream out) throws IOException, InterruptedException {
        Dataset dataset = Dataset.generate(DATASET_ROWS, DIM, 20_251_126L);
        Path workDir = Files.createTempDirectory("streamtune-trainer-bench");
        try {
            dataset.write(workDir);
            out.printf("trainer benchmark: %d-dim features, %d classes, batch %d, AdamW, %d thread(s), %,d timed steps%n",
                    DIM, CLASSES, BATCH, options.threads(), options.steps());
            HeadFigures linear = compare(HeadConfig.linear(), dataset, workDir, options, out);
            HeadFigures mlp = compare(HeadConfig.mlp(MLP_HIDDEN, MLP_DROPOUT), dataset, workDir, options, out);
            Result memory = rss(dataset, options, out);
            Result result = new Result(linear, mlp,
                    memory.rssAfterBaselineKb(), memory.rssAfterAllKb(), memory.rssBaselineStep(), memory.rssSteps(),
                    memory.rssGrowth(), options.threads());
            print(result, out);
            return result;
        } finally {
            try (var files = Files.list(workDir)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(workDir);
        }
    }

    static TrainerConfig benchmarkConfig(HeadConfig head) {
        OptimizerConfig optimizer = new OptimizerConfig(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 100, 10_000,
                DecaySchedule.COSINE, 0.1f);
        return new TrainerConfig("head", DIM, head, optimizer, 0f, 1, true, 42L, "cpu");
    }

    /**
     * Alternates timed segments of the Java trainer and of the Python process, ROUNDS of each, and
     * keeps each side's fastest: the load of a shared machine drifts, and alternating exposes both
     * sides to the same drift, while taking the fastest segment discards the moments another
     * process stole the CPU.
     */
    private static HeadFigures compare(HeadConfig head, Dataset dataset, Path workDir, Options options, PrintStream out)
            throws IOException, InterruptedException {
        String name = head.kind().name().toLowerCase(java.util.Locale.ROOT);
        int segment = Math.max(1, options.steps() / ROUNDS);
        try (HeadTrainer trainer = HeadTrainer.create(benchmarkConfig(head), List.of("ham", "spam"));
                PythonBaseline python = options.python() == null ? null
                        : PythonBaseline.start(pythonCommand(name, workDir, options), out)) {
            for (int i = 0; i < options.warmupSteps(); i++) {
                trainer.step(dataset.batch(i));
            }
            if (python != null) {
                python.awaitReady();
            }
            ProgressReporter progress = new ProgressReporter(name + " segments (java, python alternating), steps",
                    (long) segment * ROUNDS, 2_000, line -> out.println("  " + line));
            double bestJava = Double.POSITIVE_INFINITY;
            double bestPython = Double.POSITIVE_INFINITY;
            float loss = Float.NaN;
            int done = 0;
            for (int round = 0; round < ROUNDS; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < segment; i++) {
                    loss = trainer.step(dataset.batch(options.warmupSteps() + done + i)).loss();
                }
                bestJava = Math.min(bestJava, (System.nanoTime() - start) / 1e9);
                if (python != null) {
                    bestPython = Math.min(bestPython, python.run(segment));
                }
                done += segment;
                progress.update(done);
            }
            double javaRate = segment * (double) BATCH / bestJava;
            out.printf("  java   %-6s %,12.0f examples/s (%.1f us/step, fastest of %d x %,d steps, last loss %.4f)%n", name,
                    javaRate, bestJava * 1e6 / segment, ROUNDS, segment, loss);
            if (python == null) {
                out.printf("  python %-6s skipped (--no-python)%n", name);
                return new HeadFigures(javaRate, Double.NaN, Double.NaN);
            }
            double pythonRate = segment * (double) BATCH / bestPython;
            out.printf("  python %-6s %,12.0f examples/s (%.1f us/step, fastest of %d x %,d steps, %s)%n", name, pythonRate,
                    bestPython * 1e6 / segment, ROUNDS, segment, python.description());
            return new HeadFigures(javaRate, pythonRate, javaRate / pythonRate);
        }
    }

    private static List<String> pythonCommand(String head, Path workDir, Options options) throws IOException {
        Path script = workDir.resolve(PYTHON_SCRIPT);
        if (!Files.exists(script)) {
            try (InputStream in = TrainerBenchmark.class.getResourceAsStream(PYTHON_SCRIPT)) {
                if (in == null) {
                    throw new IllegalStateException(PYTHON_SCRIPT + " is missing from the class path");
                }
                Files.copy(in, script);
            }
        }
        return List.of(options.python(), script.toString(),
                "--features", workDir.resolve("features.f32").toString(), "--labels", workDir.resolve("labels.i32").toString(),
                "--dim", Integer.toString(DIM), "--classes", Integer.toString(CLASSES), "--head", head,
                "--hidden", Integer.toString(MLP_HIDDEN), "--dropout", Float.toString(MLP_DROPOUT),
                "--batch", Integer.toString(BATCH), "--warmup-steps", Integer.toString(options.warmupSteps()),
                "--threads", Integer.toString(options.threads()));
    }

    /** The Python loop as a child process that trains a segment of steps on request and reports its time. */
    private static final class PythonBaseline implements AutoCloseable {
        private final Process process;
        private final BufferedReader reader;
        private final Writer writer;
        private final List<String> command;
        private final StringBuilder transcript = new StringBuilder();
        private String description = "";

        private PythonBaseline(Process process, List<String> command) {
            this.process = process;
            this.command = command;
            this.reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.writer = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        static PythonBaseline start(List<String> command, PrintStream out) throws IOException {
            out.printf("  python baseline: %s%n", String.join(" ", command));
            return new PythonBaseline(new ProcessBuilder(command).redirectErrorStream(true).start(), command);
        }

        void awaitReady() throws IOException {
            JsonNode ready = readJson();
            description = "torch " + ready.path("torch").asText() + ", " + ready.path("threads").asInt() + " thread(s)";
        }

        /** Trains {@code steps} steps in the child and returns the seconds it measured. */
        double run(int steps) throws IOException {
            writer.write("run " + steps + "\n");
            writer.flush();
            JsonNode reply = readJson();
            if (reply.has("error")) {
                throw new IllegalStateException("Python baseline refused a request: " + reply.get("error").asText());
            }
            return reply.get("seconds").asDouble();
        }

        String description() {
            return description;
        }

        private JsonNode readJson() throws IOException {
            String line;
            while ((line = reader.readLine()) != null) {
                transcript.append(line).append('\n');
                if (line.startsWith("{")) {
                    return new ObjectMapper().readTree(line);
                }
            }
            throw new IllegalStateException("the Python baseline exited (" + String.join(" ", command)
                    + "); is python3-torch installed for " + command.get(0) + "? (apt-get install -y python3-torch)."
                    + " Output:\n" + transcript);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            try {
                writer.write("quit\n");
                writer.flush();
            } catch (IOException alreadyGone) {
                // the child exited on its own; nothing to tell it
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static Result rss(Dataset dataset, Options options, PrintStream out) {
        int baselineStep = Math.min(RSS_BASELINE_STEP, Math.max(1, options.rssSteps() / 100));
        long baselineKb = 0;
        try (HeadTrainer trainer = HeadTrainer.create(benchmarkConfig(HeadConfig.mlp(MLP_HIDDEN, MLP_DROPOUT)),
                List.of("ham", "spam"))) {
            ProgressReporter progress = new ProgressReporter("memory run steps", options.rssSteps(), 5_000,
                    line -> out.println("  " + line + ", RSS " + residentKb() / 1024 + " MiB"));
            for (int i = 0; i < options.rssSteps(); i++) {
                trainer.step(dataset.batch(i));
                if (i + 1 == baselineStep) {
                    baselineKb = residentKb();
                }
                progress.update(i + 1);
            }
        }
        long finalKb = residentKb();
        double growth = finalKb / (double) baselineKb;
        return new Result(null, null, baselineKb, finalKb, baselineStep, options.rssSteps(), growth, options.threads());
    }

    /** VmRSS of this process from /proc/self/status, in KiB. */
    static long residentKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            throw new IllegalStateException("/proc/self/status has no VmRSS line");
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self/status (the RSS figure needs Linux)", e);
        }
    }

    private static void print(Result result, PrintStream out) {
        out.println();
        out.printf("%-8s %16s %16s %8s%n", "head", "java ex/s", "python ex/s", "ratio");
        out.printf("%-8s %,16.0f %,16.0f %7.2fx%n", "linear", result.linear().examplesPerS(),
                result.linear().pythonExamplesPerS(), result.linear().ratio());
        out.printf("%-8s %,16.0f %,16.0f %7.2fx%n", "mlp", result.mlp().examplesPerS(), result.mlp().pythonExamplesPerS(),
                result.mlp().ratio());
        out.printf("RSS after %,d steps %,d KiB, after %,d steps %,d KiB: rss_growth %.3f (goal <= 1.10)%n",
                result.rssBaselineStep(), result.rssAfterBaselineKb(), result.rssSteps(), result.rssAfterAllKb(),
                result.rssGrowth());
    }

    public static void writeJson(Result result, Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        for (String head : List.of("linear", "mlp")) {
            HeadFigures figures = head.equals("linear") ? result.linear() : result.mlp();
            ObjectNode node = root.putObject(head);
            node.put("examples_per_s", figures.examplesPerS());
            node.put("python_examples_per_s", figures.pythonExamplesPerS());
            node.put("ratio", figures.ratio());
        }
        root.put("rss_growth", result.rssGrowth());
        root.put("rss_kb_after_baseline", result.rssAfterBaselineKb());
        root.put("rss_kb_after_all", result.rssAfterAllKb());
        root.put("rss_baseline_step", result.rssBaselineStep());
        root.put("rss_steps", result.rssSteps());
        root.put("threads", result.threads());
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream stream = Files.newOutputStream(file)) {
            mapper.writerWithDefaultPrettyPrinter().writeValue(stream, root);
        }
    }

    /** Two Gaussian classes in 384 dimensions, with pre-built batches so the loop measures training only. */
    record Dataset(float[][] features, int[] labels, List<TrainingExample> examples) {
        static Dataset generate(int rows, int dim, long seed) {
            DeterministicRandom rng = new DeterministicRandom(seed);
            float[][] features = new float[rows][dim];
            int[] labels = new int[rows];
            List<TrainingExample> examples = new ArrayList<>(rows);
            for (int r = 0; r < rows; r++) {
                labels[r] = rng.nextDouble() < 0.3 ? 1 : 0;
                for (int d = 0; d < dim; d++) {
                    features[r][d] = (float) (rng.nextGaussian() * 0.5 + (labels[r] == 1 && d < 16 ? 0.4 : 0));
                }
                examples.add(TrainingExample.of(features[r], labels[r]));
            }
            return new Dataset(features, labels, examples);
        }

        /** Batch k: rows [lo, lo + BATCH) with lo = (k * BATCH) mod (rows - BATCH + 1), as the Python script slices. */
        List<TrainingExample> batch(long k) {
            int lo = (int) ((k * BATCH) % (labels.length - BATCH + 1));
            return examples.subList(lo, lo + BATCH);
        }

        void write(Path directory) throws IOException {
            ByteBuffer featureBytes = ByteBuffer.allocate(features.length * features[0].length * Float.BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (float[] row : features) {
                for (float value : row) {
                    featureBytes.putFloat(value);
                }
            }
            Files.write(directory.resolve("features.f32"), featureBytes.array());
            ByteBuffer labelBytes = ByteBuffer.allocate(labels.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int label : labels) {
                labelBytes.putInt(label);
            }
            Files.write(directory.resolve("labels.i32"), labelBytes.array());
        }
    }
}
