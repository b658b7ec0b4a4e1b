package dev.streamtune.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The one-command demo: a real broker and registry, every service, a corpus (SpamAssassin unless
 * {@code --corpus} names another) streamed through, a live dashboard, and a closing summary read back from the
 * topics, with the offline anchors beside the champion. The run itself is {@link CorpusRun}, which
 * {@code bench quality} runs too.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole system on this machine and stream the bundled SpamAssassin corpus",
                "(6,046 labelled emails), or --corpus, through it: ingest, featurizer, trainer,",
                "evaluator, dashboard; the summary sets the champion beside scikit-learn anchors."})
final class DemoCommand implements Callable<Integer> {

    /** The task the default corpus, SpamAssassin, is declared as. */
    static final String TASK = "spam";

    @picocli.CommandLine.Mixin
    LearningOptions learning;

    @picocli.CommandLine.Mixin
    TechniqueOptions technique;

    @picocli.CommandLine.Mixin
    RunOptions run;

    @picocli.CommandLine.Mixin
    KafkaConfigOption kafkaConfig;

    @picocli.CommandLine.Mixin
    BindOptions bind;

    @Option(names = "--corpus", defaultValue = "spam", paramLabel = "spam|fortune|wordnet|FILE.jsonl",
            description = "The corpus to stream: a bundled one, or a JSON Lines file of {\"id\", \"label\", \"text\"}"
                    + " objects (other fields ignored; bad lines reported and skipped), declared as a task named after"
                    + " the file (closed label set: the file's labels). Default: ${DEFAULT-VALUE}")
    String corpus;

    @Option(names = "--dashboard-port", defaultValue = "8080", description = "Dashboard port (0 = any free port). Default: ${DEFAULT-VALUE}")
    int dashboardPort;

    @Option(names = "--data-dir", description = "Broker, checkpoints and artifacts. Default: a fresh temporary directory.")
    Path dataDir;

    @Option(names = "--exit-when-done", description = "Exit after the summary instead of serving the dashboard until Ctrl-C.")
    boolean exitWhenDone;

    @Option(names = "--summary-json", description = "Also write the summary as JSON to this file.")
    Path summaryJson;

    @Option(names = "--no-anchors", description = "Do not fit the scikit-learn anchors (MiniLM + LR, TF-IDF + LR) at the end;"
            + " without /usr/bin/python3 and python3-sklearn they are skipped anyway.")
    boolean noAnchors;

    @Override
    public Integer call() throws Exception {
        run.deadline();
        run.tick();
        dev.streamtune.schemas.KafkaClientProperties kafkaClient = kafkaConfig.forEmbeddedBroker();
        CorpusSource source;
        try {
            source = CorpusSource.resolve(corpus, run.limit,
                    bad -> System.err.println(corpus + " line " + bad.line() + ": " + bad.problem() + " (skipped)"));
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("--corpus: " + e.getMessage());
            return 2;
        }
        Map<String, String> settings = CorpusRun.taskSettings(technique, run, source, System.out, System.err);
        if (settings == null) {
            return 2;
        }
        Path data = dataDir != null ? dataDir : Files.createTempDirectory("streamtune-demo");
        try (CorpusRun corpusRun = CorpusRun.start(source, technique.technique, settings, learning, run, dashboardPort,
                bind.bindAddress, data, "demo", "", System.out, kafkaClient)) {
            if (!corpusRun.awaitDone(System.err)) {
                return 1;
            }
            DemoSummary summary = corpusRun.summarize(noAnchors ? CorpusRun.AnchorMode.OFF : CorpusRun.AnchorMode.IF_AVAILABLE);
            summary.print(System.out);
            if (summaryJson != null) {
                summary.writeJson(summaryJson);
                System.out.println("summary written to " + summaryJson.toAbsolutePath());
            }
            if (!exitWhenDone) {
                corpusRun.dashboardUrl().ifPresent(url -> System.out.println("Dashboard stays up at " + url + " — Ctrl-C to stop."));
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "demo-stop"));
                stop.await();
            }
            return 0;
        }
    }
}
