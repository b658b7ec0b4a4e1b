package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.platform.PlatformConfig;
import dev.streamtune.platform.StreamtunePlatform;
import dev.streamtune.schemas.topics.TopicDeclaration;
import dev.streamtune.schemas.topics.TopicDriftException;
import dev.streamtune.schemas.topics.TopicProvisioner;
import dev.streamtune.schemas.topics.TopicReplication;
import dev.streamtune.schemas.topics.TopicSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A real broker where {@code tasks} was created with the broker's default delete policy (as compose and the k8s job
 * once did): {@code serve ingest} refuses to start, naming the topic, the setting, the expected and the actual value;
 * under {@code --allow-topic-drift} it starts with a warning. Topics created by the provisioner pass the check.
 */
class TopicDriftIT {
    private static StreamtunePlatform platform;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        platform = StreamtunePlatform.start(PlatformConfig.ephemeral());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()));
        admin.createTopics(List.of(new NewTopic("tasks", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    private static ServeCommand serve(Path data, String... extra) {
        ServeCommand serve = new ServeCommand();
        List<String> args = new java.util.ArrayList<>(List.of("ingest", "-b", platform.bootstrapServers(),
                "-r", platform.registryUrl(), "--data-dir", data.toString(), "--metrics-port", "0"));
        args.addAll(List.of(extra));
        new CommandLine(serve).parseArgs(args.toArray(String[]::new));
        return serve;
    }

    @Test
    void ingestRefusesACompactedTopicWithTheDeletePolicyAndTheFlagMakesItAWarning(@TempDir Path data) throws Exception {
        assertThatThrownBy(() -> serve(data).start())
                .isInstanceOf(TopicDriftException.class)
                .hasMessageContaining("topic 'tasks': cleanup.policy is delete, the declaration wants compact")
                .hasMessageContaining("topic 'tasks': retention.ms is 604800000, the declaration wants -1")
                .hasMessageContaining("--allow-topic-drift");
        // the refusal happened before anything else: the other topics ingest uses were created as declared
        TopicDeclaration declared = TopicDeclaration.of(3);
        TopicProvisioner.ensure(admin, declared.specs(List.of("examples.raw", "examples.train", "examples.dlq")),
                dev.streamtune.schemas.topics.TopicDriftPolicy.REFUSE, TopicProvisioner.DEFAULT_TIMEOUT);

        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        AutoCloseable running;
        try {
            running = serve(data, "--allow-topic-drift").start();
        } finally {
            System.setErr(originalErr);
        }
        running.close();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("WARN", "topic 'tasks': cleanup.policy is delete, the declaration wants compact", "started anyway");
    }

    @Test
    void whatTheProvisionerCreatesPassesItsOwnCheckAndUnsafeReplicationIsNeverAllowed() throws Exception {
        TopicSpec updates = new TopicDeclaration(dev.streamtune.schemas.Topics.withPrefix("drift-it."), 2).spec("drift-it.models.updates");
        TopicProvisioner.Provisioned first = TopicProvisioner.ensure(admin, List.of(updates),
                dev.streamtune.schemas.topics.TopicDriftPolicy.REFUSE, TopicProvisioner.DEFAULT_TIMEOUT);
        assertThat(first.created()).containsExactly("drift-it.models.updates");
        assertThat(first.warned()).isEmpty();
        var observed = TopicProvisioner.describe(admin, List.of(updates.name()), TopicProvisioner.DEFAULT_TIMEOUT).get(updates.name());
        assertThat(observed.configs()).containsEntry("cleanup.policy", "compact").containsEntry("retention.ms", "-1")
                .containsEntry("min.insync.replicas", "1");
        assertThat(observed.replicationFactor()).isEqualTo(TopicReplication.SINGLE_BROKER.factor());

        // min.insync.replicas 2 on one replica: every acks=all write would fail, so even the flag refuses it
        admin.createTopics(List.of(new NewTopic("drift-it.metrics", 1, (short) 1).configs(Map.of("min.insync.replicas", "2",
                "retention.ms", "604800000")))).all().get(30, TimeUnit.SECONDS);
        TopicSpec metrics = new TopicDeclaration(dev.streamtune.schemas.Topics.withPrefix("drift-it."), 2).spec("drift-it.metrics");
        assertThatThrownBy(() -> TopicProvisioner.ensure(admin, List.of(metrics), dev.streamtune.schemas.topics.TopicDriftPolicy.WARN,
                TopicProvisioner.DEFAULT_TIMEOUT))
                .isInstanceOf(TopicDriftException.class)
                .hasMessageContaining("topic 'drift-it.metrics': min.insync.replicas is 2, the declaration wants at most the replication factor 1")
                .hasMessageContaining("refused even under --allow-topic-drift");
    }
}
