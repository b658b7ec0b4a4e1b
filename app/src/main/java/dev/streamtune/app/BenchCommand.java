package dev.streamtune.app;

import dev.streamtune.datasets.CorpusExample;
import dev.streamtune.datasets.LoadOptions;
import dev.streamtune.datasets.SpamAssassin;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * Benchmarks that print figures and ratios against their baselines in the same run. Each lives
 * beside the code it measures; this command only finds the corpus and forwards the flags.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark: featurizer, ingest, trainer, freshness, peft, quality, faults, soak.",
        subcommands = {BenchCommand.Featurizer.class, BenchCommand.Ingest.class, BenchCommand.Trainer.class,
                BenchCommand.Peft.class, FreshnessBenchmark.class, QualityBenchmark.class, FaultsBenchmark.class,
                SoakBenchmark.class})
final class BenchCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "featurizer", mixinStandardHelpOptions = true,
            description = {"Featurizer texts/s and tokens/s on the SpamAssassin corpus against a plain ONNX Runtime loop",
                    "with the same batching and threads, plus the int8 model's speedup and cosine to fp32.",
                    "Flags go to FeaturizerBenchmark: [--limit N] [--batch-size N] [--threads N] [--max-tokens N] [--rounds N] [--json FILE]"})
    static final class Featurizer implements Callable<Integer> {
        @Unmatched
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            List<String> forwarded = new ArrayList<>(args);
            if (!forwarded.contains("--input") && !forwarded.contains("--synthetic")) {
                forwarded.add("--input");
                forwarded.add(writeCorpus().toString());
            }
            dev.streamtune.bench.featurizer.FeaturizerBenchmark.main(forwarded.toArray(String[]::new));
            return 0;
        }
    }

    @Command(name = "trainer", mixinStandardHelpOptions = true,
            description = {"Trained examples/s of the linear and MLP heads against the same loop in PyTorch from Python,",
                    "and resident memory growth over a long run.",
                    "Flags go to TrainerBenchmark: [--steps N] [--rss-steps N] [--threads N] [--python PATH] [--json FILE]"})
    static final class Trainer implements Callable<Integer> {
        @Unmatched
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            dev.streamtune.bench.trainer.TrainerBenchmark.main(args.toArray(String[]::new));
            return 0;
        }
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = {"Ingest (validation, dedupe, split) records/s on the embedded broker with the full corpus.",
                    "Flags go to IngestBenchmark: [--copies N] [--partitions N] [--threads N] [--json FILE]"})
    static final class Ingest implements Callable<Integer> {
        @Unmatched
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            dev.streamtune.bench.ingest.IngestBenchmark.main(args.toArray(String[]::new));
            return 0;
        }
    }

    @Command(name = "peft", mixinStandardHelpOptions = true,
            description = {"Test macro-F1, trainable parameters and examples/s of head-only, prompt tuning, LoRA, BitFit,",
                    "top-2 unfreezing and ATTEMPT on the spam task, through the frozen MiniLM encoder in DJL.",
                    "Flags go to PeftBenchmark: [--train N] [--test N] [--epochs N] [--techniques a,b] [--json FILE]"})
    static final class Peft implements Callable<Integer> {
        @Unmatched
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() {
            dev.streamtune.bench.peft.PeftBenchmark.main(args.toArray(String[]::new));
            return 0;
        }
    }

    /** The bundled corpus as JSON Lines of {"text": ...}, the input format the benchmarks share. */
    static Path writeCorpus() throws Exception {
        Path file = Files.createTempFile("streamtune-corpus", ".jsonl");
        file.toFile().deleteOnExit();
        ObjectMapper json = new ObjectMapper();
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (CorpusExample e : SpamAssassin.load(LoadOptions.truncatedTo(20_000)).examples()) {
                out.write(json.writeValueAsString(Map.of("id", e.id(), "label", e.label(), "text", e.text())));
                out.newLine();
            }
        }
        return file;
    }
}
