package dev.streamtune.app;

import dev.streamtune.avro.TaskSpec;
import dev.streamtune.schemas.ProducerSettings;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Declares and lists tasks on the compacted tasks topic. */
@Command(name = "task", mixinStandardHelpOptions = true, description = "Declare, list or remove tasks.",
        subcommands = {TaskCommand.Create.class, TaskCommand.ListTasks.class, TaskCommand.Delete.class})
final class TaskCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static void publish(ConnectionOptions connection, TaskSpec spec) throws Exception {
        String topic = connection.topics().tasks();
        Map<String, Object> props = ProducerSettings.idempotentInOrder(connection.kafka());
        try (AvroSerializer<TaskSpec> serializer = new AvroSerializer<>(connection.registry(), connection.serde(), false);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, spec.getTask(), serializer.serialize(topic, spec))).get();
        }
    }

    /** A tombstone for {@code task}: compaction drops its declaration, and its trainer stops. */
    static void remove(ConnectionOptions connection, String task) throws Exception {
        Map<String, Object> props = ProducerSettings.idempotentInOrder(connection.kafka());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(connection.topics().tasks(), task, null)).get();
        }
    }

    static Map<String, TaskSpec> latest(ConnectionOptions connection) {
        String topic = connection.topics().tasks();
        Map<String, TaskSpec> byTask = new LinkedHashMap<>();
        AvroDeserializer<TaskSpec> d = new AvroDeserializer<>(connection.registry(), connection.serde(), TaskSpec.class);
        for (ConsumerRecord<String, byte[]> r : TopicSnapshot.read(connection.kafka(), topic, Duration.ofSeconds(30))) {
            if (r.value() == null) {
                byTask.remove(r.key());
            } else {
                TaskSpec spec = d.deserialize(topic, r.value());
                byTask.put(spec.getTask(), spec);
            }
        }
        return byTask;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Declare (or redeclare) a task.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @Parameters(index = "0", description = "Task name, e.g. spam.")
        String name;

        @Option(names = "--labels", split = ",", description = "Labels in output order, comma separated.")
        List<String> labels = List.of();

        @Option(names = "--closed", description = "Reject examples whose label is not in --labels.")
        boolean closed;

        @Mixin
        TechniqueOptions technique;

        @Option(names = "--description")
        String description;

        @Override
        public Integer call() throws Exception {
            if (closed && labels.isEmpty()) {
                System.err.println("--closed needs --labels: a closed task must list its labels");
                return 2;
            }
            String problem = technique.problem(labels, LocalPipeline.BACKBONE);
            if (problem != null) {
                System.err.println(problem);
                return 2;
            }
            TaskSpec spec = TaskSpec.newBuilder().setTask(name).setLabels(labels).setLabelSetClosed(closed)
                    .setTechnique(technique.technique).setSettings(new LinkedHashMap<>(technique.settings))
                    .setDescription(description).setCreatedAt(Instant.now()).build();
            publish(connection, spec);
            System.out.printf("task %s declared: labels %s (%s), technique %s %s%n", name, labels,
                    closed ? "closed" : "open", technique.technique, technique.settings);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List declared tasks.")
    static final class ListTasks implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @Override
        public Integer call() {
            Map<String, TaskSpec> tasks = latest(connection);
            if (tasks.isEmpty()) {
                System.out.println("no tasks declared");
                return 0;
            }
            System.out.printf("%-16s %-8s %-10s %s%n", "TASK", "LABELS", "TECHNIQUE", "LABEL SET");
            tasks.values().forEach(t -> System.out.printf("%-16s %-8s %-10s %s%n", t.getTask(),
                    t.getLabels().size(), t.getTechnique(), (t.getLabelSetClosed() ? "closed: " : "open: ") + t.getLabels()));
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Remove a task (a tombstone on the tasks topic): its trainer finishes its batch, checkpoints and stops.",
                    "Versions already published stay; an example sent for it later declares it again (open), as for any",
                    "unknown task, and its trainer resumes from the checkpoint."})
    static final class Delete implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @Parameters(index = "0", description = "Task name.")
        String name;

        @Override
        public Integer call() throws Exception {
            if (!latest(connection).containsKey(name)) {
                System.err.println("task " + name + " is not declared on " + connection.topics().tasks()
                        + " (streamtune task list shows the declared tasks)");
                return 2;
            }
            remove(connection, name);
            System.out.println("task " + name + " removed");
            return 0;
        }
    }
}
