package dev.streamtune.schemas.topics;

import dev.streamtune.schemas.KafkaClientProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topic creation in one home: creates the declared topics ({@link TopicDeclaration}) that are
 * missing, with the replication the live brokers allow ({@link TopicReplication#forBrokers}), and
 * checks the ones that exist against their declaration ({@link TopicCheck}). An existing topic is
 * never altered: a drift is refused or, under {@link TopicDriftPolicy#WARN}, logged.
 */
public final class TopicProvisioner {
    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final long RETRY_PAUSE_MS = 100;

    private TopicProvisioner() {}

    /** What {@link #ensure} did: the topics it created and the drifts it only warned about. */
    public record Provisioned(List<String> created, List<TopicDrift> warned) {}

    /** As {@link #ensure(Admin, List, TopicDriftPolicy, Duration)} with its own admin client. */
    public static Provisioned ensure(String bootstrapServers, KafkaClientProperties kafkaClient, List<TopicSpec> specs,
            TopicDriftPolicy policy) {
        try (Admin admin = Admin.create(kafkaClient.with(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)))) {
            return ensure(admin, specs, policy, DEFAULT_TIMEOUT);
        }
    }

    /**
     * Creates every topic of {@code specs} that is missing, then compares each with its declaration.
     *
     * @throws TopicDriftException where a topic contradicts its declaration under {@link TopicDriftPolicy#REFUSE},
     *                             or its replication is unsafe under either policy
     */
    public static Provisioned ensure(Admin admin, List<TopicSpec> specs, TopicDriftPolicy policy, Duration timeout) {
        List<String> created = create(admin, specs, timeout);
        int brokers = liveBrokers(admin, timeout);
        List<TopicDrift> drifts = new ArrayList<>();
        Map<String, ObservedTopic> observed = describe(admin, specs.stream().map(TopicSpec::name).toList(), timeout);
        for (TopicSpec spec : specs) {
            drifts.addAll(TopicCheck.compare(spec, observed.get(spec.name()), brokers));
        }
        List<TopicDrift> unsafe = drifts.stream().filter(TopicDrift::unsafe).toList();
        if (!unsafe.isEmpty()) {
            throw new TopicDriftException(unsafe, true);
        }
        if (!drifts.isEmpty() && policy == TopicDriftPolicy.REFUSE) {
            throw new TopicDriftException(drifts, false);
        }
        for (TopicDrift drift : drifts) {
            LOG.warn("{} (started anyway under {})", drift.message(), TopicDriftPolicy.OPTION);
        }
        return new Provisioned(created, drifts);
    }

    /**
     * Creates the topics of {@code specs} that are missing, with the replication the live brokers allow,
     * and returns their names; leaves existing ones as they are. For a service that creates a topic it
     * writes; its entry point ({@code up}, {@code serve}) checks them with {@link #ensure}.
     */
    public static List<String> create(Admin admin, List<TopicSpec> specs, Duration timeout) {
        try {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<TopicSpec> missing = specs.stream().filter(spec -> !existing.contains(spec.name())).toList();
            if (missing.isEmpty()) {
                return List.of();
            }
            TopicReplication replication = TopicReplication.forBrokers(liveBrokers(admin, timeout));
            List<NewTopic> wanted = missing.stream().map(spec -> spec.newTopic(replication)).toList();
            List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(wanted).values().entrySet()) {
                try {
                    entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic '" + entry.getKey() + "': " + e.getCause().getMessage(), e);
                    }
                }
            }
            if (!created.isEmpty()) {
                LOG.info("created topics {} (replication factor {}, min.insync.replicas {})", created,
                        replication.factor(), replication.minInsyncReplicas());
            }
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list topics: " + e, e);
        }
    }

    /** As {@link #create(Admin, List, Duration)} with its own admin client. */
    public static List<String> create(String bootstrapServers, KafkaClientProperties kafkaClient, List<TopicSpec> specs) {
        try (Admin admin = Admin.create(kafkaClient.with(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)))) {
            return create(admin, specs, DEFAULT_TIMEOUT);
        }
    }

    /** The topics as the cluster has them: partitions, smallest replica count, effective configs. */
    public static Map<String, ObservedTopic> describe(Admin admin, Collection<String> names, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                List<ConfigResource> resources = names.stream()
                        .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
                Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                Map<String, ObservedTopic> out = new HashMap<>();
                for (String name : names) {
                    TopicDescription description = descriptions.get(name);
                    int replicas = description.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
                    Map<String, String> values = new HashMap<>();
                    for (ConfigEntry entry : configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name)).entries()) {
                        if (entry.value() != null) {
                            values.put(entry.name(), entry.value());
                        }
                    }
                    out.put(name, new ObservedTopic(name, description.partitions().size(), replicas, values));
                }
                return out;
            } catch (ExecutionException e) {
                // right after creation the metadata may not have reached the broker yet
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() + RETRY_PAUSE_MS * 1_000_000 > deadline) {
                    throw new IllegalStateException("cannot describe topics " + names + ": " + e.getCause(), e);
                }
                pause();
            } catch (TimeoutException e) {
                throw new IllegalStateException("describing topics " + names + " took over " + timeout, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while describing topics", e);
            }
        }
    }

    private static int liveBrokers(Admin admin, Duration timeout) {
        try {
            return admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the Kafka cluster: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the Kafka cluster", e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY_PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing topics", e);
        }
    }
}
