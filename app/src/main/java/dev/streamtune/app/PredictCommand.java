package dev.streamtune.app;

import dev.streamtune.subscriber.ModelSubscriber;
import dev.streamtune.loader.Prediction;
import dev.streamtune.subscriber.SubscriberConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Classifies text with the task's current champion, loaded and verified by the subscriber library. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Label text with the current champion of a task (texts as arguments, or one per line on stdin).")
final class PredictCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Mixin
    ArtifactOptions artifacts;

    @Mixin
    KeyOptions keys;

    @Option(names = "--task", defaultValue = "spam", description = "Default: ${DEFAULT-VALUE}")
    String task;

    @Option(names = "--wait", defaultValue = "60", description = "Seconds to wait for a champion. Default: ${DEFAULT-VALUE}")
    int waitSeconds;

    @Parameters(arity = "0..*", description = "Texts to label; none reads lines from stdin.")
    List<String> texts = List.of();

    @Override
    public Integer call() throws Exception {
        SubscriberConfig config = SubscriberConfig.of(connection.bootstrapServers, connection.registryUrl,
                keys.trusted(Paths.defaultData(), dev.streamtune.schemas.signing.KeyFiles.EVALUATOR))
                .withUpdatesTopic(connection.topics().updates()).withTask(task).withKafkaClient(connection.kafkaClient())
                .withArtifactDirectory(artifacts.directory());
        try (ModelSubscriber subscriber = ModelSubscriber.start(config)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
            subscriber.awaitCaughtUp(Duration.ofSeconds(waitSeconds));
            while (subscriber.currentVersion(task).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            if (subscriber.currentVersion(task).isEmpty()) {
                System.err.println("task " + task + " has no promoted model yet (waited " + waitSeconds + " s)");
                return 3;
            }
            if (texts.isEmpty()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null) {
                    if (!line.isBlank()) {
                        print(subscriber.predict(task, line), line);
                    }
                }
            } else {
                for (String text : texts) {
                    print(subscriber.predict(task, text), text);
                }
            }
        }
        return 0;
    }

    private static void print(Prediction p, String text) {
        StringBuilder probs = new StringBuilder();
        for (Map.Entry<String, Double> e : p.probabilities().entrySet()) {
            probs.append(String.format(" %s=%.3f", e.getKey(), e.getValue()));
        }
        String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
        System.out.printf("%s\tv%d\t%s\t%s%n", p.label(), p.version(), probs.toString().trim(), shown.replace('\n', ' '));
    }
}
