package dev.streamtune.schemas.topics;

import dev.streamtune.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Every Streamtune topic and its settings, declared once. {@code up}, {@code serve}, the services that
 * create a topic they write, the registry's {@code _schemas}, the test fixtures, compose's
 * {@code kafka-init} and the Kubernetes job all create or check topics from this list (the last two
 * are held to it by a test in {@code deploy}); {@link TopicProvisioner} creates and checks.
 *
 * <ul>
 *   <li>{@code tasks}, {@code models.updates} and {@code _schemas}: one partition, compacted, kept
 *       forever: the latest task spec, champion and schema per key must never expire (under the
 *       broker's default delete policy they would be gone after seven days).</li>
 *   <li>The three splits and the features: kept forever; they are the dataset, which the trainer
 *       replays and the evaluator scores against from the start.</li>
 *   <li>{@code examples.raw}: seven days; ingest has routed it into the splits by then.</li>
 *   <li>{@code examples.dlq}: thirty days, time for an operator to look at what was rejected.</li>
 *   <li>{@code models.candidates} and {@code metrics}: one partition (per-task order), seven days.</li>
 * </ul>
 *
 * @param topics     the names (a deployment may prefix them)
 * @param partitions partitions of the topics that scale out (examples, features)
 */
public record TopicDeclaration(Topics topics, int partitions) {
    static final long WEEK_MS = Duration.ofDays(7).toMillis();
    static final long DLQ_RETENTION_MS = Duration.ofDays(30).toMillis();

    public TopicDeclaration {
        if (topics == null) {
            throw new IllegalArgumentException("topics must be given");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
    }

    /** The default names. */
    public static TopicDeclaration of(int partitions) {
        return new TopicDeclaration(Topics.defaults(), partitions);
    }

    /** Every topic of a deployment whose features come from {@code backboneIds}, {@code _schemas} included. */
    public List<TopicSpec> all(List<String> backboneIds) {
        List<TopicSpec> out = new ArrayList<>();
        out.add(scaled(topics.raw(), WEEK_MS));
        for (String split : topics.splits()) {
            out.add(scaled(split, TopicSpec.FOREVER));
        }
        out.add(scaled(topics.dlq(), DLQ_RETENTION_MS));
        for (String backbone : backboneIds) {
            out.add(scaled(topics.features(backbone), TopicSpec.FOREVER));
        }
        out.add(single(topics.tasks(), TopicConfig.CLEANUP_POLICY_COMPACT, TopicSpec.FOREVER));
        out.add(single(topics.candidates(), TopicConfig.CLEANUP_POLICY_DELETE, WEEK_MS));
        out.add(single(topics.updates(), TopicConfig.CLEANUP_POLICY_COMPACT, TopicSpec.FOREVER));
        out.add(single(topics.metrics(), TopicConfig.CLEANUP_POLICY_DELETE, WEEK_MS));
        out.add(schemasTopic(topics.schemas()));
        return out;
    }

    /**
     * The schema registry's store (Streamtune's own or Confluent's), whatever its name: one partition
     * (the registry's order is the log's), compacted (the latest record per subject and version is the
     * state), kept forever.
     */
    public static TopicSpec schemasTopic(String name) {
        return single(name, TopicConfig.CLEANUP_POLICY_COMPACT, TopicSpec.FOREVER);
    }

    /** The declaration of one topic by its name; a features topic of any backbone is declared. */
    public Optional<TopicSpec> find(String name) {
        if (name.startsWith(topics.featuresPrefix()) && name.length() > topics.featuresPrefix().length()) {
            return Optional.of(scaled(name, TopicSpec.FOREVER));
        }
        return all(List.of()).stream().filter(spec -> spec.name().equals(name)).findFirst();
    }

    /** As {@link #find}, for a name that must be declared. */
    public TopicSpec spec(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("topic '" + name
                + "' is not a Streamtune topic; the declared ones are " + all(List.of()).stream().map(TopicSpec::name).toList()
                + " and " + topics.featuresPrefix() + "<backbone>"));
    }

    /** The specs of {@code names}, in their order. */
    public List<TopicSpec> specs(List<String> names) {
        return names.stream().map(this::spec).toList();
    }

    private TopicSpec scaled(String name, long retentionMs) {
        return new TopicSpec(name, partitions, false, TopicConfig.CLEANUP_POLICY_DELETE, retentionMs);
    }

    private static TopicSpec single(String name, String cleanupPolicy, long retentionMs) {
        return new TopicSpec(name, 1, true, cleanupPolicy, retentionMs);
    }
}
