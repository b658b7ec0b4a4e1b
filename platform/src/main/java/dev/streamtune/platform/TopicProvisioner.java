package dev.streamtune.platform;

import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates Streamtune's topics where they are missing: the compacted ones (tasks, model updates)
 * as compacted, the rest with the given partition count. Existing topics are left as they are.
 */
public final class TopicProvisioner {
    private TopicProvisioner() {}

    /** The topics of a deployment whose features come from {@code backboneIds}. */
    public static List<NewTopic> streamtuneTopics(Topics topics, int partitions, List<String> backboneIds) {
        Map<String, String> compact = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        List<NewTopic> out = new ArrayList<>();
        for (String t : List.of(topics.raw(), topics.train(), topics.validation(), topics.test(), topics.dlq())) {
            out.add(new NewTopic(t, partitions, (short) 1));
        }
        for (String backbone : backboneIds) {
            out.add(new NewTopic(topics.features(backbone), partitions, (short) 1));
        }
        // one partition: per-task order matters more than parallelism for these small streams
        out.add(new NewTopic(topics.candidates(), 1, (short) 1));
        out.add(new NewTopic(topics.metrics(), 1, (short) 1));
        out.add(new NewTopic(topics.tasks(), 1, (short) 1).configs(compact));
        out.add(new NewTopic(topics.updates(), 1, (short) 1).configs(compact));
        return out;
    }

    /** Creates every topic in {@code wanted} that does not exist yet; returns the names it created. */
    public static List<String> ensure(String bootstrapServers, List<NewTopic> wanted) {
        return ensure(bootstrapServers, KafkaClientProperties.none(), wanted);
    }

    /** As {@link #ensure(String, List)}, the admin client connecting with {@code kafkaClient}'s security settings. */
    public static List<String> ensure(String bootstrapServers, KafkaClientProperties kafkaClient, List<NewTopic> wanted) {
        try (Admin admin = Admin.create(kafkaClient.with(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + entry.getKey() + ": " + e.getCause().getMessage(), e);
                    }
                }
            }
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list topics at " + bootstrapServers + ": " + e, e);
        }
    }
}
