package dev.streamtune.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Split;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.head.BaseModelRef;
import dev.streamtune.model.head.HeadSpec;
import dev.streamtune.model.head.Predictor;
import dev.streamtune.model.technique.TechniqueSettings;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import dev.streamtune.testkit.KafkaTestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Topics, producers and readers over a real platform for the trainer service's integration tests. */
final class ServiceFixture {
    static final String BACKBONE = "all-MiniLM-L6-v2";
    /** The trainer's key in these tests. */
    static final dev.streamtune.schemas.signing.SigningKey TRAINER_KEY = dev.streamtune.schemas.signing.SigningKey.generate();
    static final int DIM = 384;

    final StreamtunePlatform platform;
    final Topics topics;
    final String featuresTopic;
    private final SchemaRegistryClient registry;
    private final Map<String, PoisonRecords> poisonByTask = new java.util.concurrent.ConcurrentHashMap<>();

    /** Each test gets its own topic prefix, so tests sharing a platform never see each other's records. */
    ServiceFixture(StreamtunePlatform platform, String prefix, int featurePartitions) throws Exception {
        this.platform = platform;
        this.topics = Topics.withPrefix(prefix);
        this.featuresTopic = topics.features(BACKBONE);
        this.registry = SchemaRegistryClients.create(platform.serdeConfig());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()))) {
            admin.createTopics(List.of(
                    new NewTopic(featuresTopic, featurePartitions, (short) 1),
                    new NewTopic(topics.tasks(), 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(topics.candidates(), 1, (short) 1),
                    new NewTopic(topics.metrics(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    void declareTask(String task, List<String> labels, boolean closed, Map<String, String> settings) throws Exception {
        declareTask(task, labels, closed, "head", settings);
    }

    void declareTask(String task, List<String> labels, boolean closed, String technique, Map<String, String> settings)
            throws Exception {
        TaskSpec spec = TaskSpec.newBuilder().setTask(task).setLabels(labels).setLabelSetClosed(closed)
                .setBackbone(BACKBONE).setTechnique(technique).setSettings(new HashMap<>(settings)).build();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            AvroSerializer<TaskSpec> serializer = new AvroSerializer<>(registry, platform.serdeConfig(), false);
            producer.send(new ProducerRecord<>(topics.tasks(), task, serializer.serialize(topics.tasks(), spec))).get();
        }
    }

    /** Sends {@code value} as is (null for a tombstone) under {@code key}: for records no service would write. */
    void sendBytes(String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    /** {@code value} in the Confluent wire format, its schema registered on the platform's registry. */
    byte[] serialize(String topic, org.apache.avro.specific.SpecificRecord value) {
        return new AvroSerializer<org.apache.avro.specific.SpecificRecord>(registry, platform.serdeConfig(), false)
                .serialize(topic, value);
    }

    /** examples.train (the encoder techniques' input) and the compacted models.updates. */
    void createTextTopics(int trainPartitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()))) {
            admin.createTopics(List.of(
                    new NewTopic(topics.train(), trainPartitions, (short) 1),
                    new NewTopic(topics.updates(), 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Produces labelled texts to examples.train keyed by example id, as ingest does; returns where each landed. */
    List<RecordMetadata> produceTexts(List<LabelledExample> examples) throws Exception {
        List<RecordMetadata> landed = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            AvroSerializer<LabelledExample> serializer = new AvroSerializer<>(registry, platform.serdeConfig(), false);
            List<java.util.concurrent.Future<RecordMetadata>> futures = new ArrayList<>();
            for (LabelledExample example : examples) {
                futures.add(producer.send(new ProducerRecord<>(topics.train(), example.getId().toString(),
                        serializer.serialize(topics.train(), example))));
            }
            for (var future : futures) {
                landed.add(future.get());
            }
        }
        return landed;
    }

    /** Promotes {@code version} on models.updates, as the evaluator's gate would. */
    void promote(ModelVersion version) throws Exception {
        ModelUpdate update = ModelUpdate.newBuilder().setTask(version.getTask()).setAction(UpdateAction.PROMOTE)
                .setVersion(version.getVersion()).setReason("promoted by the test").setModel(version)
                .setTimestamp(java.time.Instant.now()).build();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            AvroSerializer<ModelUpdate> serializer = new AvroSerializer<>(registry, platform.serdeConfig(), false);
            producer.send(new ProducerRecord<>(topics.updates(), version.getTask().toString(),
                    serializer.serialize(topics.updates(), update))).get();
        }
    }

    static LabelledExample text(String task, String id, String label, String text) {
        return LabelledExample.newBuilder().setId(id).setTask(task).setLabel(label).setText(text)
                .setSplit(Split.TRAIN).build();
    }

    /** Produces the vectors keyed by example id; returns where each landed. */
    List<RecordMetadata> produce(List<FeatureVector> vectors) throws Exception {
        List<RecordMetadata> landed = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            AvroSerializer<FeatureVector> serializer = new AvroSerializer<>(registry, platform.serdeConfig(), false);
            List<java.util.concurrent.Future<RecordMetadata>> futures = new ArrayList<>();
            for (FeatureVector vector : vectors) {
                futures.add(producer.send(new ProducerRecord<>(featuresTopic, vector.getExampleId(),
                        serializer.serialize(featuresTopic, vector))));
            }
            for (var future : futures) {
                landed.add(future.get());
            }
        }
        return landed;
    }

    /** The task's versions on models.candidates, as the trainer reads them: poison a test planted is left out. */
    List<ModelVersion> versions(String task) {
        AvroDeserializer<ModelVersion> deserializer =
                new AvroDeserializer<>(registry, platform.serdeConfig(), ModelVersion.class);
        PoisonRecords poison = poisonByTask.computeIfAbsent(task, PoisonRecords::new); // logs each record once
        List<ModelVersion> versions = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : readAll(topics.candidates())) {
            if (task.equals(record.key())) {
                ModelVersion version = poison.version(new ConsumerRecord<>(record.topic(), record.partition(),
                        record.offset(), record.key().getBytes(java.nio.charset.StandardCharsets.UTF_8), record.value()),
                        deserializer, task);
                if (version != null) {
                    versions.add(version);
                }
            }
        }
        return versions;
    }

    List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            return KafkaTestCluster.pollToEnd(consumer, ends, Duration.ofSeconds(30), "reading " + topic + " to its end");
        }
    }

    /** Polls the candidates until {@code done} holds for this task's versions, or fails after {@code timeout}. */
    List<ModelVersion> awaitVersions(String task, Predicate<List<ModelVersion>> done, Duration timeout)
            throws InterruptedException {
        AtomicReference<List<ModelVersion>> versions = new AtomicReference<>(List.of());
        await("versions of '" + task + "' reaching the expected state").atMost(timeout)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    versions.set(versions(task));
                    assertThat(done.test(versions.get())).as("versions of '%s' (version:examplesSeen) %s", task,
                            versions.get().stream().map(v -> v.getVersion() + ":" + v.getExamplesSeen()).toList()).isTrue();
                });
        return versions.get();
    }

    private KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    static Predictor predictor(ModelVersion version) {
        Map<String, String> hyperparameters = new HashMap<>();
        version.getHyperparameters().forEach((k, v) -> hyperparameters.put(k.toString(), v.toString()));
        HeadSpec spec = TechniqueSettings.fromSettings(version.getTechnique(), DIM, hyperparameters).head();
        return Predictor.load(new BaseModelRef(version.getBase().getBackbone(), version.getBase().getSha256()), spec,
                version.getLabels(), deltaOf(version));
    }

    /** Decodes a delta read back from a version, checking its digest. */
    static dev.streamtune.model.delta.Delta deltaOf(ModelVersion version) {
        java.nio.ByteBuffer inline = version.getDelta().getInline();
        if (inline == null) {
            throw new IllegalArgumentException("version " + version.getVersion() + " carries its delta by URI");
        }
        byte[] bytes = new byte[inline.remaining()];
        inline.duplicate().get(bytes);
        dev.streamtune.model.delta.Delta delta = new dev.streamtune.model.delta.Delta(
                version.getDelta().getFormat().toString(), bytes, version.getDelta().getSha256().toString());
        delta.verifyDigest();
        return delta;
    }

    /** What {@link #crashingAfterCheckpointOf} throws. */
    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(String message) {
            super(message);
        }
    }

    /**
     * A trainer whose run ends abruptly right after the checkpoint of {@code version} is durable and
     * before that version is published, as a power cut there would.
     */
    static TrainerService crashingAfterCheckpointOf(TrainerServiceConfig config, long version) {
        return new TrainerService(config, TRAINER_KEY, () -> TrainerClients.create(config), point -> {
            if (point.version() == version) {
                throw new SimulatedCrash("simulated crash after checkpointing version " + version + " of task '"
                        + config.task() + "', before publishing it");
            }
        });
    }

    static String backboneSha256() {
        return BackboneRegistry.standard().byId(BACKBONE).weightsSha256();
    }

    /**
     * Embedding-like vectors: each class has a random unit centroid; an example is the centroid
     * plus isotropic noise of comparable norm, L2-normalised like MiniLM's pooled output. Cosine
     * to its own centroid is about 0.6 and to another class's about 0, so classes overlap at the
     * margins and a head has something to learn.
     */
    static final class Clusters {
        private final Map<String, float[]> centroids = new HashMap<>();
        private final Random random;
        private final double noise;

        Clusters(long seed, double noise) {
            this.random = new Random(seed);
            this.noise = noise;
        }

        float[] sample(String label) {
            float[] centroid = centroids.computeIfAbsent(label, l -> normalize(gaussian(1.0)));
            float[] x = gaussian(noise / Math.sqrt(DIM));
            for (int i = 0; i < DIM; i++) {
                x[i] += centroid[i];
            }
            return normalize(x);
        }

        private float[] gaussian(double scale) {
            float[] x = new float[DIM];
            for (int i = 0; i < DIM; i++) {
                x[i] = (float) (random.nextGaussian() * scale);
            }
            return x;
        }

        private static float[] normalize(float[] x) {
            double norm = 0;
            for (float v : x) {
                norm += v * v;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < x.length; i++) {
                x[i] *= inv;
            }
            return x;
        }
    }

    static FeatureVector vector(String task, String id, String label, Split split, float[] features) {
        List<Float> values = new ArrayList<>(features.length);
        for (float v : features) {
            values.add(v);
        }
        return FeatureVector.newBuilder().setExampleId(id).setTask(task).setLabel(label).setSplit(split)
                .setWeight(1.0).setBackbone(BACKBONE).setBackboneSha256("").setVector(values).setTokens(64).build();
    }

    /** Macro-F1 over the labels that occur in {@code truth}. */
    static double macroF1(List<String> truth, List<String> predicted) {
        java.util.Set<String> labels = new java.util.TreeSet<>(truth);
        double sum = 0;
        for (String label : labels) {
            long tp = 0;
            long fp = 0;
            long fn = 0;
            for (int i = 0; i < truth.size(); i++) {
                boolean isTrue = truth.get(i).equals(label);
                boolean isPredicted = predicted.get(i).equals(label);
                tp += isTrue && isPredicted ? 1 : 0;
                fp += !isTrue && isPredicted ? 1 : 0;
                fn += isTrue && !isPredicted ? 1 : 0;
            }
            double precision = tp + fp == 0 ? 0 : tp / (double) (tp + fp);
            double recall = tp + fn == 0 ? 0 : tp / (double) (tp + fn);
            sum += precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        }
        return sum / labels.size();
    }
}
