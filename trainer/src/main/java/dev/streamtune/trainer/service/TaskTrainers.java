package dev.streamtune.trainer.service;

import dev.streamtune.avro.TaskSpec;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.metrics.ServiceMeters;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import dev.streamtune.trainer.service.TrainerRoster.Decision;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trainer for every declared task: follows the compacted {@code tasks} topic and starts a
 * {@link TrainerService} for each task declared on it, including tasks declared after start, stops a
 * task's trainer (it finishes its batch, checkpoints and publishes) when the task is removed by a
 * tombstone ({@code streamtune task delete}), and restarts it when the task is redeclared with another
 * technique, settings or label set. {@code up} runs it in-process; {@code serve trainer --all-tasks}
 * runs it alone for compose and Kubernetes.
 *
 * <p>Every start and stop, and a heartbeat per running trainer, goes to the metrics topic as a
 * {@code MetricsEvent} of kind {@code OTHER} from source {@value dev.streamtune.schemas.MetricNames#TRAINERS_SOURCE}, so the
 * dashboard and {@code streamtune status} can say which tasks are trained, and which tasks have
 * examples but no trainer. What to do is decided by {@link TrainerRoster}; this class only reads,
 * starts, stops and reports.
 *
 * <p>It reads the whole topic before its first decision, so a task declared and later removed never
 * gets a trainer at start. It assigns partitions itself (no consumer group): there is nothing to commit.
 */
public final class TaskTrainers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskTrainers.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration PARTITION_REFRESH = Duration.ofSeconds(5);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);

    /** One running trainer, as the supervisor drives it; {@link TrainerService} on its thread in production. */
    public interface Trainer {
        /** Asks the trainer to finish its batch, checkpoint, publish and return; does not wait. */
        void stop();

        boolean awaitStopped(Duration timeout) throws InterruptedException;

        boolean isRunning();

        Optional<Throwable> failure();

        TrainerCounters counters();
    }

    /** Starts the trainer of one task; the spec it will read is already on the tasks topic. */
    @FunctionalInterface
    public interface Factory {
        Trainer start(String task);
    }

    /** Where the supervisor reports which trainers run. */
    public interface StatusSink extends AutoCloseable {
        void report(String task, boolean running, boolean failed, Duration heartbeat);

        @Override
        default void close() {}
    }

    /**
     * @param bootstrapServers Kafka's {@code bootstrap.servers}
     * @param serde            the registry the tasks topic and metrics are written with
     * @param topics           where tasks are read and trainer status is written
     * @param only             tasks this supervisor trains; empty: every declared task
     * @param heartbeat        how often a running trainer's status is repeated, in [1 s, 10 min]
     * @param kafkaClient      security settings of its consumer and producer
     */
    public record Config(String bootstrapServers, AvroSerdeConfig serde, Topics topics, Set<String> only,
                         Duration heartbeat, KafkaClientProperties kafkaClient) {
        public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(30);

        public Config {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers must not be blank");
            }
            Objects.requireNonNull(serde, "serde");
            Objects.requireNonNull(topics, "topics (Topics.defaults() for the standard names)");
            if (only == null) {
                throw new IllegalArgumentException("only must be given (empty to train every declared task)");
            }
            only = Set.copyOf(only);
            for (String task : only) {
                if (task == null || task.isBlank()) {
                    throw new IllegalArgumentException("only: task names must not be blank, got " + only);
                }
            }
            if (heartbeat == null || heartbeat.compareTo(Duration.ofSeconds(1)) < 0
                    || heartbeat.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("heartbeat must be between PT1S and PT10M, was " + heartbeat);
            }
            Objects.requireNonNull(kafkaClient, "kafkaClient (KafkaClientProperties.none() for PLAINTEXT)");
        }

        public static Config of(String bootstrapServers, AvroSerdeConfig serde, Topics topics, Set<String> only,
                                KafkaClientProperties kafkaClient) {
            return new Config(bootstrapServers, serde, topics, only, DEFAULT_HEARTBEAT, kafkaClient);
        }
    }

    private final Set<String> only;
    private final Duration heartbeat;
    private final Factory factory;
    private final StatusSink status;
    private final Clock clock;
    private final Map<String, String> declared = new TreeMap<>();
    private final Map<String, Held> trainers = new TreeMap<>();
    private final Map<String, Long> lastBeat = new HashMap<>();
    private volatile boolean caughtUp;
    private volatile boolean closing;
    private Thread thread;
    private KafkaConsumer<String, byte[]> consumer;
    private AvroDeserializer<TaskSpec> specs;
    private String tasksTopic;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private record Held(Trainer trainer, String fingerprint, boolean failureReported) {}

    /** The supervisor without its Kafka loop: decisions are fed by {@link #declare}/{@link #remove}. */
    TaskTrainers(Set<String> only, Duration heartbeat, Factory factory, StatusSink status, Clock clock) {
        this.only = Set.copyOf(only);
        this.heartbeat = heartbeat;
        this.factory = Objects.requireNonNull(factory, "factory");
        this.status = Objects.requireNonNull(status, "status");
        this.clock = clock;
    }

    /** Starts following the tasks topic on its own thread; trainers start once the topic was read to its end. */
    public static TaskTrainers start(Config config, Factory factory) {
        TaskTrainers supervisor = new TaskTrainers(config.only(), config.heartbeat(), factory,
                new TrainerStatusTopic(config), Clock.systemUTC());
        supervisor.specs = new AvroDeserializer<>(SchemaRegistryClients.create(config.serde()), config.serde(), TaskSpec.class);
        supervisor.tasksTopic = config.topics().tasks();
        supervisor.consumer = new KafkaConsumer<>(config.kafkaClient().with(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "streamtune-trainers-" + ProcessHandle.current().pid(),
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false)),
                new org.apache.kafka.common.serialization.StringDeserializer(), new ByteArrayDeserializer());
        supervisor.thread = new Thread(supervisor::follow, "streamtune-task-trainers");
        supervisor.thread.setDaemon(true);
        supervisor.thread.start();
        LOG.info("trainer supervisor follows '{}' and trains {}", supervisor.tasksTopic,
                config.only().isEmpty() ? "every declared task" : "only " + new java.util.TreeSet<>(config.only()));
        return supervisor;
    }

    /**
     * A factory of {@link TrainerService}s, each on a thread of its own named after its task.
     *
     * @param configFor the trainer's configuration for a task (its checkpoint directory must be the task's own)
     */
    public static Factory services(Function<String, TrainerServiceConfig> configFor,
                                   dev.streamtune.schemas.signing.SigningKey signer) {
        return services(configFor, signer, new ServiceMeters());
    }

    /**
     * {@link #services(Function, dev.streamtune.schemas.signing.SigningKey)} whose trainers' meters
     * ({@link TrainerMeters}, tagged by task) appear in {@code meters} while each trainer runs.
     */
    public static Factory services(Function<String, TrainerServiceConfig> configFor,
                                   dev.streamtune.schemas.signing.SigningKey signer, ServiceMeters meters) {
        return task -> {
            TrainerService service = new TrainerService(configFor.apply(task), signer);
            ServiceMeters own = TrainerMeters.of(service);
            own.bindTo(meters.registry());
            Thread loop = new Thread(() -> {
                try {
                    service.run();
                } finally {
                    own.unbindFrom(meters.registry());
                    own.close();
                }
            }, "streamtune-trainer-" + task);
            loop.setDaemon(true);
            loop.start();
            return new Trainer() {
                @Override
                public void stop() {
                    service.stop();
                }

                @Override
                public boolean awaitStopped(Duration timeout) throws InterruptedException {
                    return service.awaitStopped(timeout);
                }

                @Override
                public boolean isRunning() {
                    return service.isRunning();
                }

                @Override
                public Optional<Throwable> failure() {
                    return service.failure();
                }

                @Override
                public TrainerCounters counters() {
                    return service.counters();
                }
            };
        };
    }

    private void follow() {
        List<TopicPartition> assigned = List.of();
        Map<TopicPartition, Long> endAtStart = null;
        long nextRefresh = 0;
        try {
            while (!closing) {
                if (System.nanoTime() >= nextRefresh) {
                    assigned = refresh(assigned);
                    nextRefresh = System.nanoTime() + PARTITION_REFRESH.toNanos();
                    if (endAtStart == null && !assigned.isEmpty()) {
                        endAtStart = consumer.endOffsets(assigned, Duration.ofSeconds(10));
                    }
                }
                if (assigned.isEmpty()) {
                    TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
                    continue;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    fold(record);
                }
                if (!caughtUp && reached(endAtStart)) {
                    caughtUp = true;
                    LOG.info("trainer supervisor read '{}' to its end: declared {}", tasksTopic, declaredTasks());
                }
                if (caughtUp) {
                    reconcile();
                    beat();
                }
            }
        } catch (WakeupException | InterruptedException e) {
            if (!closing) {
                LOG.error("trainer supervisor interrupted: {}", e.toString());
            }
        } catch (RuntimeException e) {
            LOG.error("trainer supervisor stopped: no trainer starts or stops for tasks declared from now on", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
            stopped.countDown();
        }
    }

    private List<TopicPartition> refresh(List<TopicPartition> assigned) {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(tasksTopic, Duration.ofSeconds(5));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            LOG.warn("cannot list the partitions of '{}' yet: {}", tasksTopic, e.getMessage());
            return assigned;
        }
        if (infos == null || infos.size() <= assigned.size()) {
            return assigned;
        }
        List<TopicPartition> current = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        List<TopicPartition> added = new ArrayList<>(current);
        added.removeAll(assigned);
        consumer.assign(current);
        consumer.seekToBeginning(added);
        return current;
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        if (ends == null) {
            return false;
        }
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void fold(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            LOG.warn("ignoring a record without a key on '{}' at {}-{}@{}", tasksTopic, record.topic(),
                    record.partition(), record.offset());
            return;
        }
        if (record.value() == null) {
            remove(record.key());
            return;
        }
        try {
            declare(record.key(), specs.deserialize(tasksTopic, record.value()));
        } catch (RuntimeException e) {
            // a record that is no declaration leaves the last good one standing, as the trainer itself reads it
            LOG.warn("ignoring an undecodable declaration of task '{}' at {}-{}@{}: {}", record.key(), record.topic(),
                    record.partition(), record.offset(), e.toString());
        }
    }

    /** The latest declaration of {@code task}. */
    synchronized void declare(String task, TaskSpec spec) {
        declared.put(task, TrainerRoster.fingerprint(spec));
    }

    /** A tombstone: {@code task} is no longer declared. */
    synchronized void remove(String task) {
        declared.remove(task);
    }

    /** Applies what {@link TrainerRoster} decides; returns the decisions, for tests and logs. */
    synchronized List<Decision> reconcile() throws InterruptedException {
        Map<String, TrainerRoster.Running> running = new LinkedHashMap<>();
        trainers.forEach((task, held) -> running.put(task, new TrainerRoster.Running(held.fingerprint(),
                held.trainer().isRunning())));
        List<Decision> decisions = TrainerRoster.decide(declared, running, only);
        for (Decision decision : decisions) {
            LOG.info("trainer supervisor: {} ({})", decision.action(), decision.why());
            switch (decision.action()) {
                case STOP -> stopTrainer(decision.task());
                case RESTART -> {
                    stopTrainer(decision.task());
                    startTrainer(decision.task());
                }
                case START -> startTrainer(decision.task());
            }
        }
        reportFailures();
        if (!decisions.isEmpty()) {
            LOG.info("trainers: {}", String.join(", ", trainedTasks()));
        }
        return decisions;
    }

    private void startTrainer(String task) {
        Trainer trainer = factory.start(task);
        trainers.put(task, new Held(trainer, declared.get(task), false));
        status.report(task, true, false, heartbeat);
        lastBeat.put(task, clock.millis());
    }

    private void stopTrainer(String task) throws InterruptedException {
        Held held = trainers.remove(task);
        lastBeat.remove(task);
        if (held == null) {
            return;
        }
        held.trainer().stop();
        if (!held.trainer().awaitStopped(STOP_TIMEOUT)) {
            LOG.warn("trainer of task '{}' did not stop within {}", task, STOP_TIMEOUT);
        }
        status.report(task, false, false, heartbeat);
    }

    /** A trainer whose loop ended by itself is reported once, as failed, and left for a redeclaration to restart. */
    private void reportFailures() {
        trainers.replaceAll((task, held) -> {
            if (held.failureReported() || held.trainer().isRunning()) {
                return held;
            }
            LOG.error("trainer of task '{}' stopped by itself: {}; redeclare the task (streamtune task create) to"
                    + " start it again", task, held.trainer().failure().map(Throwable::toString).orElse("no failure recorded"));
            status.report(task, false, true, heartbeat);
            return new Held(held.trainer(), held.fingerprint(), true);
        });
    }

    /** Repeats the status of each running trainer every heartbeat, so a supervisor that vanished shows as silent. */
    synchronized void beat() {
        long now = clock.millis();
        trainers.forEach((task, held) -> {
            if (held.trainer().isRunning() && now - lastBeat.getOrDefault(task, 0L) >= heartbeat.toMillis()) {
                status.report(task, true, false, heartbeat);
                lastBeat.put(task, now);
            }
        });
    }

    /** Whether it still follows the tasks topic: what {@code /health} answers (never blocks on a trainer stopping). */
    public boolean isFollowing() {
        return thread != null && thread.isAlive() && !closing;
    }

    /** Whether the tasks topic has been read to its end once (no trainer starts before). */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Tasks whose trainer runs now, sorted. */
    public synchronized List<String> trainedTasks() {
        List<String> out = new ArrayList<>();
        trainers.forEach((task, held) -> {
            if (held.trainer().isRunning()) {
                out.add(task);
            }
        });
        return out;
    }

    /** Declared tasks, sorted, whether or not this supervisor trains them. */
    public synchronized List<String> declaredTasks() {
        return new ArrayList<>(declared.keySet());
    }

    /** Counters of each trainer held (running or failed), by task. */
    public synchronized Map<String, TrainerCounters> counters() {
        Map<String, TrainerCounters> out = new LinkedHashMap<>();
        trainers.forEach((task, held) -> out.put(task, held.trainer().counters()));
        return out;
    }

    /** Trainers that ended by themselves, with why. */
    public synchronized Map<String, String> failures() {
        Map<String, String> out = new LinkedHashMap<>();
        trainers.forEach((task, held) -> {
            if (!held.trainer().isRunning()) {
                out.put(task, held.trainer().failure().map(Throwable::toString).orElse("stopped by itself"));
            }
        });
        if (thread != null && !thread.isAlive() && !closing) {
            out.put("(supervisor)", "stopped following the tasks topic");
        }
        return out;
    }

    /** Stops following the topic, then every trainer (each checkpoints and publishes), then the status sink. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (consumer != null) {
            consumer.wakeup();
        }
        try {
            if (thread != null && thread.isAlive() && !stopped.await(10, TimeUnit.SECONDS)) {
                LOG.warn("trainer supervisor did not stop reading within 10 s");
            }
            synchronized (this) {
                trainers.values().forEach(held -> held.trainer().stop());
                for (String task : new ArrayList<>(trainers.keySet())) {
                    stopTrainer(task);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            status.close();
        }
    }
}
