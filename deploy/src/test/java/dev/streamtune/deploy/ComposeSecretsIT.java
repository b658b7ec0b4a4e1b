package dev.streamtune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.streamtune.broker.BrokerConfig;
import dev.streamtune.broker.BrokerSecurity;
import dev.streamtune.broker.EmbeddedKafkaBroker;
import dev.streamtune.platform.StreamtuneAcls;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.topics.TopicDeclaration;
import dev.streamtune.schemas.topics.TopicDriftPolicy;
import dev.streamtune.schemas.topics.TopicProvisioner;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What compose's Kafka runs on, on a real broker: {@code make-secrets.sh} makes the certificate, the users and each
 * principal's client settings, the embedded broker runs SASL_SSL with exactly those and the ACLs of
 * {@code kafka-acls.txt}, and each host-side settings file authenticates as its principal, which may publish on
 * {@code models.updates} only if it is the evaluator and on {@code models.candidates} only if it is the trainer.
 */
class ComposeSecretsIT {
    private static final Pattern JAAS_PASSWORD = Pattern.compile("password=\"([^\"]+)\"");

    @TempDir
    Path dir;

    @Test
    void theGeneratedSecretsAndTheAclFileHoldOnARealBroker() throws Exception {
        Path secrets = dir.resolve("secrets");
        ProcessBuilder builder = new ProcessBuilder("bash", DeployFiles.file("deploy/compose/make-secrets.sh").toString())
                .redirectErrorStream(true);
        builder.environment().put("STREAMTUNE_SECRETS_DIR", secrets.toString());
        builder.environment().put("KEYTOOL", Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        Process make = builder.start();
        String output = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(make.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(make.exitValue()).as(output).isZero();

        Map<String, String> kafkaEnv = envFile(secrets.resolve("kafka.env"));
        String storePassword = kafkaEnv.get("KAFKA_SSL_KEYSTORE_PASSWORD");
        Matcher admin = JAAS_PASSWORD.matcher(properties(secrets.resolve("admin.properties")).getProperty("sasl.jaas.config"));
        assertThat(admin.find()).isTrue();
        assertThat(kafkaEnv.get("KAFKA_LISTENER_NAME_INTERNAL_PLAIN_SASL_JAAS_CONFIG"))
                .contains("user_admin=\"" + admin.group(1) + "\"");
        Map<String, String> users = new LinkedHashMap<>();
        for (String line : Files.readAllLines(secrets.resolve("kafka-users.txt"))) {
            String[] words = line.split(" ");
            users.put(words[0], words[1]);
        }
        assertThat(users.keySet()).containsExactlyElementsOf(StreamtuneAcls.PRINCIPALS);

        BrokerSecurity security = new BrokerSecurity(secrets.resolve("kafka.p12"), storePassword,
                secrets.resolve("truststore.p12"), kafkaEnv.get("KAFKA_SSL_TRUSTSTORE_PASSWORD"), "admin", admin.group(1),
                users, bindings(ComposeAcls.lines(DeployFiles.file(ComposeAcls.FILE))));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.defaults().withAutoCreateTopics(false)
                .withSecurity(security))) {
            Topics topics = Topics.defaults();
            TopicProvisioner.ensure(broker.bootstrapServers(), KafkaClientProperties.of(security.superUserClient()),
                    new TopicDeclaration(topics, 1).all(List.of(ExpectedTopics.DEFAULT_BACKBONE)), TopicDriftPolicy.REFUSE);
            for (String principal : StreamtuneAcls.PRINCIPALS) {
                KafkaClientProperties client = KafkaClientProperties.load(secrets.resolve("host-" + principal + ".properties"));
                assertThat(mayWrite(broker, client, topics.updates())).as("%s writes %s", principal, topics.updates())
                        .isEqualTo(principal.equals(StreamtuneAcls.EVALUATOR));
                assertThat(mayWrite(broker, client, topics.candidates())).as("%s writes %s", principal, topics.candidates())
                        .isEqualTo(principal.equals(StreamtuneAcls.TRAINER));
            }
            assertThat(mayWrite(broker, KafkaClientProperties.load(secrets.resolve("host-producer.properties")), topics.raw()))
                    .as("the producer writes examples").isTrue();
        }
    }

    /** True when the write is acknowledged, false when the broker refuses the topic; anything else fails the test. */
    private static boolean mayWrite(EmbeddedKafkaBroker broker, KafkaClientProperties client, String topic) {
        Map<String, Object> props = client.with(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
        Throwable refused = catchThrowable(() -> {
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(topic, "acl-probe", null)).get(30, TimeUnit.SECONDS);
            }
        });
        if (refused == null) {
            return true;
        }
        assertThat(refused).as("refused, not failed").hasCauseInstanceOf(TopicAuthorizationException.class);
        return false;
    }

    /** The file's lines as Kafka ACL bindings, parsed the way kafka-acls.sh reads its options. */
    static List<AclBinding> bindings(Iterable<String> lines) {
        List<AclBinding> out = new ArrayList<>();
        for (String line : lines) {
            String[] w = line.split(" ");
            ResourceType type = ResourceType.fromString(w[1].replace('-', '_').toUpperCase(Locale.ROOT));
            PatternType pattern = PatternType.fromString(w[3].toUpperCase(Locale.ROOT));
            AclOperation operation = AclOperation.fromString(w[4].replaceAll("([a-z])([A-Z])", "$1_$2"));
            assertThat(List.of(type, pattern, operation)).as(line).doesNotContain(ResourceType.UNKNOWN, PatternType.UNKNOWN,
                    AclOperation.UNKNOWN);
            out.add(new AclBinding(new ResourcePattern(type, w[2], pattern),
                    new AccessControlEntry("User:" + w[0], "*", operation, AclPermissionType.ALLOW)));
        }
        return out;
    }

    private static Properties properties(Path file) throws Exception {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            props.load(in);
        }
        return props;
    }

    /** KEY=value lines, a value in single quotes taken literally, as Compose reads an env_file. */
    private static Map<String, String> envFile(Path file) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            String value = line.substring(eq + 1);
            if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                value = value.substring(1, value.length() - 1);
            }
            out.put(line.substring(0, eq), value);
        }
        return out;
    }
}
