package dev.streamtune.app;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.datasets.Corpus;
import dev.streamtune.datasets.FortuneCategories;
import dev.streamtune.datasets.LoadOptions;
import dev.streamtune.datasets.SpamAssassin;
import dev.streamtune.datasets.WordNetSenses;
import dev.streamtune.schemas.ProducerSettings;
import dev.streamtune.schemas.serde.AvroSerializer;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Sends labelled examples from a JSON Lines or CSV file (or stdin) to examples.raw, or one of the
 * bundled corpora ({@code --corpus}): SpamAssassin, the fortune categories or WordNet's noun senses,
 * each declared as a task of its own first, so fortune and wordnet can serve as ATTEMPT's source tasks.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Send labelled examples from a JSONL or CSV file (or stdin) to examples.raw,",
                "or a bundled corpus (--corpus spam|fortune|wordnet), declared as a task first.",
                "Fields: id, task, text, label, weight, split, source, eventTime, metadata.",
                "A line that cannot be read is reported with its line number; the rest is still sent."})
final class ProduceCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Parameters(index = "0", arity = "0..1", description = "Input file; '-' or absent reads stdin.")
    String file;

    @Option(names = "--format", description = "jsonl or csv. Default: from the file extension, else jsonl.")
    String format;

    @Option(names = "--task", description = "Task for lines that name none; with --corpus, the task's name (default: the corpus').")
    String task;

    @Option(names = "--corpus", description = "Send a bundled corpus instead of a file: ${COMPLETION-CANDIDATES}.")
    BundledCorpus corpus;

    @Option(names = "--limit", defaultValue = "0",
            description = "With --corpus: about this many examples, balanced over the labels (stratified for spam); 0 = all.")
    int limit;

    @Option(names = "--no-declare", description = "With --corpus: do not declare the task (it is declared already).")
    boolean noDeclare;

    @Mixin
    TechniqueOptions technique;

    /** The corpora that ship with the project, each a task of the system when produced. */
    enum BundledCorpus {
        spam, fortune, wordnet;

        Corpus load(int limit) {
            Corpus all = switch (this) {
                case spam -> SpamAssassin.load(LoadOptions.truncatedTo(20_000));
                // fortunes and glosses are short; the cap only guards against the odd very long fortune
                case fortune -> FortuneCategories.load(LoadOptions.truncatedTo(2_000));
                case wordnet -> WordNetSenses.load(LoadOptions.truncatedTo(2_000));
            };
            if (limit <= 0 || limit >= all.size()) {
                return all;
            }
            return this == spam ? all.stratifiedSample(limit, 42)
                    : all.balancedSample(Math.max(1, limit / all.labels().size()), 42);
        }
    }

    @Override
    public Integer call() throws IOException {
        if (corpus != null) {
            return produceCorpus();
        }
        ExampleReader.Format fmt = format != null ? parseFormat(format)
                : file != null && file.toLowerCase(Locale.ROOT).endsWith(".csv") ? ExampleReader.Format.CSV
                : ExampleReader.Format.JSONL;
        List<ExampleReader.BadLine> bad = new ArrayList<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        String topic = connection.topics().raw();
        Map<String, Object> props = ProducerSettings.idempotentInOrder(connection.kafka());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        try (Reader in = file == null || file.equals("-")
                ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
                : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
             AvroSerializer<LabelledExample> serializer = new AvroSerializer<>(connection.registry(), connection.serde(), false);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                     new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            new ExampleReader(task).read(in, fmt,
                    e -> sent.add(producer.send(new ProducerRecord<>(topic, e.getId(), serializer.serialize(topic, e)))),
                    b -> {
                        bad.add(b);
                        System.err.println("line " + b.line() + ": " + b.problem());
                    });
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            System.err.println("sending failed: " + e.getCause().getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
        System.out.printf("sent %d example(s) to %s; %d bad line(s)%n", sent.size(), topic, bad.size());
        return bad.isEmpty() ? 0 : 2;
    }

    private int produceCorpus() {
        if (file != null) {
            System.err.println("give either a file or --corpus, not both");
            return 2;
        }
        Corpus examples = corpus.load(limit);
        String taskName = task != null ? task : corpus.name();
        List<String> labels = List.copyOf(examples.labels());
        try {
            if (!noDeclare) {
                String problem = technique.problem(labels, LocalPipeline.BACKBONE);
                if (problem != null) {
                    System.err.println(problem);
                    return 2;
                }
                TaskCommand.publish(connection, TaskSpec.newBuilder().setTask(taskName).setLabels(labels)
                        .setLabelSetClosed(true).setTechnique(technique.technique)
                        .setSettings(new java.util.LinkedHashMap<>(technique.settings))
                        .setDescription("bundled corpus " + examples.name()).setCreatedAt(java.time.Instant.now()).build());
                System.out.printf("task %s declared: %d labels (closed), technique %s %s%n", taskName, labels.size(),
                        technique.technique, technique.settings);
            }
            java.util.concurrent.atomic.AtomicLong acknowledged = new java.util.concurrent.atomic.AtomicLong();
            CorpusProducer.produce(connection.kafka(), connection.registry(), connection.serde(),
                    connection.topics().raw(), taskName, examples, 0, (id, timestamp) -> acknowledged.incrementAndGet());
            System.out.printf("sent %d of %d %s example(s) as task %s to %s%n", acknowledged.get(), examples.size(),
                    corpus, taskName, connection.topics().raw());
            return acknowledged.get() == examples.size() ? 0 : 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } catch (Exception e) {
            System.err.println("sending " + corpus + " failed: " + e.getMessage());
            return 1;
        }
    }

    private static ExampleReader.Format parseFormat(String f) {
        try {
            return ExampleReader.Format.valueOf(f.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new ProduceCommand()),
                    "--format must be jsonl or csv, got '" + f + "'");
        }
    }
}
