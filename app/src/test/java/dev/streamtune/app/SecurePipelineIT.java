package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtune.broker.BrokerConfig;
import dev.streamtune.broker.BrokerSecurity;
import dev.streamtune.broker.EmbeddedKafkaBroker;
import dev.streamtune.dashboard.DashboardConfig;
import dev.streamtune.dashboard.DashboardServer;
import dev.streamtune.evaluator.service.EvaluatorConfig;
import dev.streamtune.evaluator.service.EvaluatorService;
import dev.streamtune.ingest.IngestApp;
import dev.streamtune.ingest.IngestConfig;
import dev.streamtune.featurizer.FeaturizerService;
import dev.streamtune.featurizer.FeaturizerServiceConfig;
import dev.streamtune.platform.StreamtuneAcls;
import dev.streamtune.registry.RegistryConfig;
import dev.streamtune.registry.RegistryServer;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.topics.TopicDeclaration;
import dev.streamtune.schemas.topics.TopicDriftPolicy;
import dev.streamtune.schemas.topics.TopicProvisioner;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.subscriber.ModelSubscriber;
import dev.streamtune.subscriber.SubscriberConfig;
import dev.streamtune.testkit.TestCertificates;
import dev.streamtune.trainer.service.TrainerService;
import dev.streamtune.trainer.service.TrainerServiceConfig;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The pipeline on a SASL_SSL broker with the StandardAuthorizer and exactly {@link StreamtuneAcls}: every service
 * runs as its own SCRAM principal from its own {@code --kafka-config} file, as the compose containers do. A producer
 * principal streams SpamAssassin through {@code streamtune produce}, ingest, the featurizer, a trainer and the
 * evaluator turn it into a champion on {@code models.updates}, and a subscriber and the dashboard read it. Then the
 * refusals: a wrong password fails authentication, and only the evaluator may publish on {@code models.updates}.
 */
class SecurePipelineIT {
    private static final String TASK = "spam";
    private static final String BACKBONE = TrainerServiceConfig.DEFAULT_BACKBONE;
    private static final Duration PROMOTION_WAIT = Duration.ofMinutes(6);

    @TempDir
    Path dir;

    @Test
    void thePipelineRunsOnSaslSslWithOneCredentialPerServiceAndTheAclsHold() throws Exception {
        Topics topics = Topics.defaults();
        TestCertificates certs = TestCertificates.create(dir.resolve("tls"), "localhost");
        Map<String, String> users = new LinkedHashMap<>();
        StreamtuneAcls.PRINCIPALS.forEach(p -> users.put(p, secret()));
        users.put("outsider", secret()); // authenticates, but no ACL names it
        BrokerSecurity security = new BrokerSecurity(certs.keystore(), certs.password(), certs.truststore(),
                certs.password(), "broker", secret(), users, StreamtuneAcls.bindings(topics, List.of(BACKBONE)));
        Map<String, Path> kafkaConfig = new LinkedHashMap<>();
        for (String user : users.keySet()) {
            kafkaConfig.put(user, write(dir.resolve(user + "-kafka.properties"), security.userClient(user)));
        }

        List<AutoCloseable> running = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.defaults().withAutoCreateTopics(false)
                .withSecurity(security))) {
            String bootstrap = broker.bootstrapServers();
            // the operator creates the topics, as compose's kafka-init does; no service principal may create them
            TopicProvisioner.ensure(bootstrap, KafkaClientProperties.of(security.superUserClient()),
                    new TopicDeclaration(topics, 1).all(List.of(BACKBONE)), TopicDriftPolicy.REFUSE);

            RegistryServer registry = RegistryServer.startWithKafka(RegistryConfig.of(0, bootstrap).withBindAddress("localhost")
                    .withKafkaClient(load(kafkaConfig, StreamtuneAcls.REGISTRY)));
            running.add(registry);
            String registryUrl = "http://localhost:" + registry.port();

            IngestApp ingest = new IngestApp(IngestConfig.defaults(bootstrap, registryUrl)
                    .withKafkaClient(load(kafkaConfig, StreamtuneAcls.INGEST))
                    .withStreamsOverrides(Map.of(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("streams").toString(),
                            StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200")));
            running.add(ingest);
            ingest.start();

            FeaturizerServiceConfig d = FeaturizerServiceConfig.defaults(bootstrap, registryUrl);
            FeaturizerService featurizer = new FeaturizerService(new FeaturizerServiceConfig(bootstrap, registryUrl, BACKBONE,
                    d.batchSize(), d.maxWait(), 128, 2, "", d.groupId(), d.transactionalId(), 1, Duration.ofSeconds(30),
                    d.batchesPerTransaction(), KafkaClientProperties.load(kafkaConfig.get(StreamtuneAcls.FEATURIZER))));
            running.add(featurizer);
            Thread featurizing = daemon("featurizer", featurizer::run);

            // each service's signing key in this test's directory, as up makes them
            dev.streamtune.schemas.signing.SigningKey trainerKey = dev.streamtune.schemas.signing.KeyFiles.ensure(
                    dir.resolve("keys"), dev.streamtune.schemas.signing.KeyFiles.TRAINER);
            dev.streamtune.schemas.signing.SigningKey evaluatorKey = dev.streamtune.schemas.signing.KeyFiles.ensure(
                    dir.resolve("keys"), dev.streamtune.schemas.signing.KeyFiles.EVALUATOR);
            EvaluatorService evaluator = EvaluatorService.start(EvaluatorConfig.defaults(bootstrap, registryUrl)
                    .withGate(PipelineConfig.gateWithMinValidation(20)).withArtifactDirectory(dir.resolve("artifacts"))
                    .withKafkaClient(load(kafkaConfig, StreamtuneAcls.EVALUATOR)),
                    new dev.streamtune.schemas.signing.ModelTrust(evaluatorKey, trainerKey.asTrusted()));
            running.add(evaluator);

            TrainerService trainer = new TrainerService(TrainerServiceConfig.defaults(bootstrap,
                            new AvroSerdeConfig(registryUrl, true, false, false, Duration.ofSeconds(60)), TASK,
                            dir.resolve("checkpoints"))
                    .withPublishEvery(100, Duration.ofSeconds(30))
                    .withArtifacts(dir.resolve("artifacts"), TrainerServiceConfig.DEFAULT_INLINE_DELTA_LIMIT)
                    .withKafkaClient(load(kafkaConfig, StreamtuneAcls.TRAINER)), trainerKey);
            running.add(trainer);
            Thread training = daemon("trainer", trainer);

            DashboardServer dashboard = DashboardServer.create(DashboardConfig.of(0, bootstrap, registryUrl)
                    .withLagPollInterval(Duration.ofMillis(500))
                    .withKafkaClient(load(kafkaConfig, StreamtuneAcls.DASHBOARD))).start();
            running.add(dashboard);

            ModelSubscriber subscriber = ModelSubscriber.start(SubscriberConfig.of(bootstrap, registryUrl,
                    evaluatorKey.asTrusted()).withTask(TASK)
                    .withArtifactDirectory(dir.resolve("artifacts"))
                    .withKafkaClient(load(kafkaConfig, StreamtuneAcls.SUBSCRIBER)));
            running.add(subscriber);

            // the producer principal declares the task and streams 300 emails through the real command line
            int produced = new CommandLine(new Streamtune()).execute("produce", "--corpus", "spam", "--limit", "300",
                    "-b", bootstrap, "-r", registryUrl, "--kafka-config", kafkaConfig.get(StreamtuneAcls.PRODUCER).toString());
            assertThat(produced).as("streamtune produce as the producer principal").isZero();

            await("a champion the evaluator published reaching the subscriber").atMost(PROMOTION_WAIT)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
                    .failFast(() -> {
                        assertThat(trainer.failure()).as("trainer").isEmpty();
                        assertThat(evaluator.failure()).as("evaluator").isEmpty();
                        assertThat(ingest.state()).as("ingest").isNotEqualTo(org.apache.kafka.streams.KafkaStreams.State.ERROR);
                        assertThat(featurizing.isAlive()).as("featurizer").isTrue();
                    })
                    .untilAsserted(() -> assertThat(subscriber.currentVersion(TASK))
                            .as("a champion the evaluator published reached the subscriber, counters %s, ingest %s",
                                    trainer.counters(), ingest.metrics().snapshot()).isPresent());
            long champion = subscriber.currentVersion(TASK).getAsLong();
            assertThat(subscriber.predict(TASK, "WIN a FREE cruise, click now!!!").label()).isIn("spam", "ham");

            JsonNode state = awaitDashboard(dashboard, champion);
            assertThat(state.path("lag").path("error").isNull() || state.path("lag").path("error").isMissingNode())
                    .as("the dashboard principal reads the groups' lag: %s", state.path("lag")).isTrue();
            assertThat(state.path("consumer").path("lastError").isNull() || state.path("consumer").path("lastError").isMissingNode())
                    .as("the dashboard consumer: %s", state.path("consumer")).isTrue();

            trainer.stop();
            featurizer.stop();
            training.join(60_000);
            featurizing.join(30_000);
            closeAll(running);

            // refusals, against the same broker and ACLs
            assertThat(causes(() -> send(bootstrap, withPassword(security, "evaluator", "not-the-password"),
                    topics.updates()))).hasAtLeastOneElementOfType(SaslAuthenticationException.class);
            for (String principal : List.of(StreamtuneAcls.PRODUCER, StreamtuneAcls.TRAINER, StreamtuneAcls.SUBSCRIBER,
                    StreamtuneAcls.DASHBOARD, StreamtuneAcls.INGEST, "outsider")) {
                assertThat(causes(() -> send(bootstrap, load(kafkaConfig, principal), topics.updates())))
                        .as("%s publishing on %s", principal, topics.updates())
                        .hasAtLeastOneElementOfType(TopicAuthorizationException.class);
            }
            assertThat(causes(() -> send(bootstrap, load(kafkaConfig, StreamtuneAcls.EVALUATOR), topics.candidates())))
                    .as("the evaluator publishing a candidate").hasAtLeastOneElementOfType(TopicAuthorizationException.class);
            send(bootstrap, load(kafkaConfig, StreamtuneAcls.EVALUATOR), topics.updates());
            send(bootstrap, load(kafkaConfig, StreamtuneAcls.TRAINER), topics.candidates());
        } finally {
            closeAll(running);
        }
    }

    /**
     * A tombstone for a task that does not exist: harmless on the compacted topics, and still a write the ACLs judge.
     * Not idempotent, so that a principal with no write ACL anywhere is refused the topic, not the producer id.
     */
    private static void send(String bootstrap, KafkaClientProperties security, String topic) throws Exception {
        Map<String, Object> props = security.with(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.ACKS_CONFIG, "1"));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "acl-probe", null)).get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaClientProperties withPassword(BrokerSecurity security, String user, String password) {
        Map<String, String> props = new LinkedHashMap<>(security.userClient(user));
        props.put("sasl.jaas.config", BrokerSecurity.scramJaas(user, password));
        return KafkaClientProperties.of(props);
    }

    private static JsonNode awaitDashboard(DashboardServer dashboard, long champion) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        AtomicReference<JsonNode> state = new AtomicReference<>();
        await("the dashboard showing champion v" + champion + " and the groups' lag").atMost(Duration.ofSeconds(60))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    String body = http.send(HttpRequest.newBuilder(URI.create(dashboard.url() + "api/state")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    state.set(json.readTree(body));
                    assertThat(state.get().path("tasks").path(TASK).path("championVersion").asLong(-1) >= champion
                            && state.get().path("lag").path("groups").size() > 0)
                            .as("the dashboard shows champion v%d and the groups' lag: %s", champion, state.get()).isTrue();
                });
        return state.get();
    }

    private static KafkaClientProperties load(Map<String, Path> kafkaConfig, String principal) {
        return KafkaClientProperties.load(kafkaConfig.get(principal));
    }

    private static Path write(Path file, Map<String, String> settings) throws Exception {
        Properties props = new Properties();
        props.putAll(settings);
        try (Writer out = Files.newBufferedWriter(file)) {
            props.store(out, "Kafka client settings of one principal");
        }
        return file;
    }

    private static String secret() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, "secure-it-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void closeAll(List<AutoCloseable> running) {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                System.err.println("closing " + running.get(i).getClass().getSimpleName() + ": " + e);
            }
        }
        running.clear();
    }

    /** The exception {@code action} throws and every cause below it. */
    private static List<Throwable> causes(org.assertj.core.api.ThrowableAssert.ThrowingCallable action) {
        Throwable thrown = catchThrowable(action);
        assertThat(thrown).as("refused").isNotNull();
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = thrown; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }
}
