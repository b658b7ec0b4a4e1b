package dev.streamtune.app;

import dev.streamtune.avro.LabelledExample;
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

/** Sends labelled examples from a JSON Lines or CSV file (or stdin) to examples.raw. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Send labelled examples from a JSONL or CSV file (or stdin) to examples.raw.",
                "Fields: id, task, text, label, weight, split, source, eventTime, metadata.",
                "A line that cannot be read is reported with its line number; the rest is still sent."})
final class ProduceCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Parameters(index = "0", arity = "0..1", description = "Input file; '-' or absent reads stdin.")
    String file;

    @Option(names = "--format", description = "jsonl or csv. Default: from the file extension, else jsonl.")
    String format;

    @Option(names = "--task", description = "Task for lines that name none.")
    String task;

    @Override
    public Integer call() throws IOException {
        ExampleReader.Format fmt = format != null ? parseFormat(format)
                : file != null && file.toLowerCase(Locale.ROOT).endsWith(".csv") ? ExampleReader.Format.CSV
                : ExampleReader.Format.JSONL;
        List<ExampleReader.BadLine> bad = new ArrayList<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        String topic = connection.topics().raw();
        var props = connection.kafka();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
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

    private static ExampleReader.Format parseFormat(String f) {
        try {
            return ExampleReader.Format.valueOf(f.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new ProduceCommand()),
                    "--format must be jsonl or csv, got '" + f + "'");
        }
    }
}
