package dev.streamtune.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.broker.BrokerConfig;
import dev.streamtune.broker.BrokerSecurity;
import dev.streamtune.broker.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker with a SASL_SSL listener, SCRAM users and the StandardAuthorizer, on certificates made now. */
class SecureBrokerIT {
    @TempDir
    static Path dir;

    private static EmbeddedKafkaBroker broker;
    private static BrokerSecurity security;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates certs = TestCertificates.create(dir.resolve("tls"), "localhost");
        AclBinding writer = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "guarded", PatternType.LITERAL),
                new AccessControlEntry("User:writer", "*", AclOperation.WRITE, AclPermissionType.ALLOW));
        security = new BrokerSecurity(certs.keystore(), certs.password(), certs.truststore(), certs.password(),
                "broker", "broker-secret", Map.of("writer", "writer-secret", "reader", "reader-secret"), List.of(writer));
        broker = EmbeddedKafkaBroker.start(BrokerConfig.defaults().withAutoCreateTopics(false).withSecurity(security));
        try (Admin admin = Admin.create(broker.adminProperties())) {
            admin.createTopics(List.of(new NewTopic("guarded", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static KafkaProducer<String, String> producer(Map<String, String> security) {
        Map<String, Object> props = new HashMap<>(security);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static RecordMetadata send(Map<String, String> security) throws Exception {
        try (KafkaProducer<String, String> producer = producer(security)) {
            return producer.send(new ProducerRecord<>("guarded", "k", "v")).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theUserWithTheWriteAclPublishes() throws Exception {
        RecordMetadata written = send(security.userClient("writer"));
        assertThat(written.topic()).isEqualTo("guarded");
        assertThat(written.hasOffset()).as("acknowledged with an offset").isTrue();
        assertThat(written.offset()).as("the only record any test gets through").isZero();
    }

    @Test
    void aUserWithoutTheAclIsRefusedTheTopic() {
        assertThatThrownBy(() -> send(security.userClient("reader")))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void aWrongPasswordFailsAuthentication() {
        Map<String, String> wrong = new HashMap<>(security.trustSettings());
        wrong.put("sasl.mechanism", "SCRAM-SHA-512");
        wrong.put("sasl.jaas.config", BrokerSecurity.scramJaas("writer", "not-the-password"));
        assertThat(causes(() -> send(wrong))).hasAtLeastOneElementOfType(SaslAuthenticationException.class);
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateFailsTheHandshake() {
        Map<String, String> untrusting = new HashMap<>(security.userClient("writer"));
        untrusting.keySet().removeIf(k -> k.startsWith("ssl.truststore"));
        assertThat(causes(() -> send(untrusting))).hasAtLeastOneElementOfType(SslAuthenticationException.class);
    }

    @Test
    void aPlaintextClientGetsNothingFromTheTlsListener() {
        Map<String, Object> props = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000);
        try (Admin admin = Admin.create(props)) {
            assertThatThrownBy(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
        }
    }

    @Test
    void theSuperUserSeesTheUsersAndAcls() throws Exception {
        try (Admin admin = Admin.create(broker.adminProperties())) {
            assertThat(admin.describeUserScramCredentials().all().get(30, TimeUnit.SECONDS)).containsOnlyKeys("writer", "reader");
            assertThat(admin.describeAcls(org.apache.kafka.common.acl.AclBindingFilter.ANY).values()
                    .get(30, TimeUnit.SECONDS)).hasSize(1);
        }
    }

    /** The exception {@code action} throws and every cause below it. */
    private static List<Throwable> causes(org.assertj.core.api.ThrowableAssert.ThrowingCallable action) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(action);
        assertThat(thrown).as("refused").isNotNull();
        List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable t = thrown; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }
}
