package dev.streamtune.platform;

import dev.streamtune.schemas.Topics;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege Kafka ACLs of a Streamtune deployment, by principal: which service may read and write which
 * topic, group and transactional id. Written once here; the secured pipeline IT creates exactly these, and
 * docker-compose's {@code deploy/compose/kafka-acls.txt} is checked against them.
 *
 * <p>What it holds to: only the evaluator writes {@code models.updates} ({@code streamtune rollback} runs as the
 * evaluator); only trainers write {@code models.candidates}; producers write examples and task declarations and
 * nothing downstream; subscribers only read {@code models.updates}. Every service may DESCRIBE the Streamtune
 * topics and their configs (DESCRIBE_CONFIGS), because each checks at start that they exist as declared
 * ({@link dev.streamtune.schemas.topics.TopicProvisioner}); CREATE is granted only on the
 * topics a service creates itself when missing (the trainer its outputs, the featurizer its features topic, the
 * registry {@code _schemas}, ingest its Kafka Streams internal topics).
 */
public final class StreamtuneAcls {
    /** The principals, as SCRAM user names ({@code User:<name>}). */
    public static final String PRODUCER = "producer";
    public static final String INGEST = "ingest";
    public static final String FEATURIZER = "featurizer";
    public static final String TRAINER = "trainer";
    public static final String EVALUATOR = "evaluator";
    public static final String DASHBOARD = "dashboard";
    public static final String SUBSCRIBER = "subscriber";
    public static final String REGISTRY = "registry";
    public static final List<String> PRINCIPALS = List.of(PRODUCER, INGEST, FEATURIZER, TRAINER, EVALUATOR, DASHBOARD,
            SUBSCRIBER, REGISTRY);

    /** Ingest's Kafka Streams application id: its group, internal-topic and transactional-id prefix. */
    public static final String INGEST_APPLICATION_ID = "streamtune-ingest";
    public static final String FEATURIZER_GROUP = "streamtune-featurizer";
    /** Trainer groups and transactional ids are {@code streamtune-trainer-<task>}. */
    public static final String TRAINER_PREFIX = "streamtune-trainer-";
    public static final String EVALUATOR_GROUP = "streamtune-evaluator";
    public static final String EVALUATOR_TRANSACTIONAL_ID = "streamtune-evaluator-tx";
    /** Confluent Schema Registry's group (compose runs it); Streamtune's own registry uses no group. */
    public static final String SCHEMA_REGISTRY_GROUP = "schema-registry";
    /** Consumer groups the dashboard shows the lag of. */
    public static final String GROUP_PREFIX = "streamtune-";

    /**
     * One allowed operation: {@code User:principal} may {@code operation} on the resource {@code type}/{@code name}
     * ({@code pattern} LITERAL or PREFIXED), from any host.
     */
    public record Grant(String principal, ResourceType type, String name, PatternType pattern, AclOperation operation) {
        public Grant {
            Objects.requireNonNull(principal, "principal");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(operation, "operation");
        }

        public AclBinding binding() {
            return new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry("User:" + principal, "*", operation, AclPermissionType.ALLOW));
        }

        /**
         * {@code principal resource-type name pattern-type Operation}, spelled as {@code kafka-acls.sh} takes them
         * ({@code --topic}/{@code --group}/{@code --transactional-id}, {@code --resource-pattern-type literal|prefixed},
         * {@code --operation Read|DescribeConfigs|...}): one line of {@code deploy/compose/kafka-acls.txt}.
         */
        public String line() {
            return String.join(" ", principal, type.name().toLowerCase(Locale.ROOT).replace('_', '-'), name,
                    pattern.name().toLowerCase(Locale.ROOT), camel(operation.name()));
        }

        private static String camel(String upper) {
            StringBuilder out = new StringBuilder();
            for (String word : upper.split("_")) {
                out.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
            }
            return out.toString();
        }
    }

    private StreamtuneAcls() {}

    /** Every grant for {@code topics}, with one features topic per backbone id in {@code backbones}. */
    public static List<Grant> grants(Topics topics, List<String> backbones) {
        Set<Grant> out = new LinkedHashSet<>();
        List<String> features = backbones.stream().map(topics::features).toList();
        List<String> streamtuneTopics = new ArrayList<>(List.of(topics.raw(), topics.train(), topics.validation(),
                topics.test(), topics.dlq(), topics.tasks(), topics.candidates(), topics.updates(), topics.metrics()));
        streamtuneTopics.addAll(features);

        topic(out, PRODUCER, AclOperation.WRITE, topics.raw(), topics.tasks());
        topic(out, PRODUCER, AclOperation.READ, topics.tasks()); // task list

        topic(out, INGEST, AclOperation.READ, topics.raw(), topics.tasks()); // tasks: its global task table
        topic(out, INGEST, AclOperation.WRITE, topics.train(), topics.validation(), topics.test(), topics.dlq(), topics.tasks());
        for (AclOperation op : List.of(AclOperation.CREATE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE,
                AclOperation.DESCRIBE_CONFIGS)) {
            out.add(new Grant(INGEST, ResourceType.TOPIC, INGEST_APPLICATION_ID + "-", PatternType.PREFIXED, op));
        }
        out.add(new Grant(INGEST, ResourceType.GROUP, INGEST_APPLICATION_ID, PatternType.LITERAL, AclOperation.READ));
        out.add(new Grant(INGEST, ResourceType.TRANSACTIONAL_ID, INGEST_APPLICATION_ID + "-", PatternType.PREFIXED,
                AclOperation.WRITE));

        topic(out, FEATURIZER, AclOperation.READ, topics.train(), topics.validation(), topics.test());
        topic(out, FEATURIZER, AclOperation.WRITE, features.toArray(String[]::new));
        topic(out, FEATURIZER, AclOperation.WRITE, topics.dlq());
        topic(out, FEATURIZER, AclOperation.CREATE, features.toArray(String[]::new));
        out.add(new Grant(FEATURIZER, ResourceType.GROUP, FEATURIZER_GROUP, PatternType.LITERAL, AclOperation.READ));
        out.add(new Grant(FEATURIZER, ResourceType.TRANSACTIONAL_ID, FEATURIZER_GROUP, PatternType.PREFIXED,
                AclOperation.WRITE));

        topic(out, TRAINER, AclOperation.READ, features.toArray(String[]::new));
        topic(out, TRAINER, AclOperation.READ, topics.train(), topics.tasks(), topics.candidates(), topics.updates());
        topic(out, TRAINER, AclOperation.WRITE, topics.candidates(), topics.metrics());
        topic(out, TRAINER, AclOperation.CREATE, topics.candidates(), topics.metrics());
        out.add(new Grant(TRAINER, ResourceType.GROUP, TRAINER_PREFIX, PatternType.PREFIXED, AclOperation.READ));
        out.add(new Grant(TRAINER, ResourceType.TRANSACTIONAL_ID, TRAINER_PREFIX, PatternType.PREFIXED, AclOperation.WRITE));

        topic(out, EVALUATOR, AclOperation.READ, features.toArray(String[]::new));
        topic(out, EVALUATOR, AclOperation.READ, topics.train(), topics.validation(), topics.test(), topics.candidates(),
                topics.updates());
        topic(out, EVALUATOR, AclOperation.WRITE, topics.updates(), topics.metrics());
        out.add(new Grant(EVALUATOR, ResourceType.GROUP, EVALUATOR_GROUP, PatternType.LITERAL, AclOperation.READ));
        out.add(new Grant(EVALUATOR, ResourceType.TRANSACTIONAL_ID, EVALUATOR_TRANSACTIONAL_ID, PatternType.LITERAL,
                AclOperation.WRITE));

        topic(out, DASHBOARD, AclOperation.READ, topics.metrics(), topics.updates(), topics.dlq());
        out.add(new Grant(DASHBOARD, ResourceType.GROUP, GROUP_PREFIX, PatternType.PREFIXED, AclOperation.DESCRIBE));

        topic(out, SUBSCRIBER, AclOperation.READ, topics.updates());

        for (AclOperation op : List.of(AclOperation.CREATE, AclOperation.READ, AclOperation.WRITE,
                AclOperation.DESCRIBE_CONFIGS)) {
            out.add(new Grant(REGISTRY, ResourceType.TOPIC, topics.schemas(), PatternType.LITERAL, op));
        }
        out.add(new Grant(REGISTRY, ResourceType.GROUP, SCHEMA_REGISTRY_GROUP, PatternType.LITERAL, AclOperation.READ));

        for (String service : List.of(INGEST, FEATURIZER, TRAINER, EVALUATOR, DASHBOARD)) {
            topic(out, service, AclOperation.DESCRIBE, streamtuneTopics.toArray(String[]::new));
            topic(out, service, AclOperation.DESCRIBE_CONFIGS, streamtuneTopics.toArray(String[]::new));
        }
        return List.copyOf(out);
    }

    /**
     * The topics {@code principal} may READ or WRITE: what its service consumes and produces, and so the contract
     * subjects it registers at start ({@code ContractSchemas.subjectsOf}).
     */
    public static Set<String> topicsReadOrWritten(String principal, Topics topics, List<String> backbones) {
        Set<String> out = new LinkedHashSet<>();
        for (Grant g : grants(topics, backbones)) {
            if (g.principal().equals(principal) && g.type() == ResourceType.TOPIC && g.pattern() == PatternType.LITERAL
                    && (g.operation() == AclOperation.READ || g.operation() == AclOperation.WRITE)) {
                out.add(g.name());
            }
        }
        return out;
    }

    /** {@link #grants} as Kafka ACL bindings, for {@code Admin.createAcls}. */
    public static List<AclBinding> bindings(Topics topics, List<String> backbones) {
        return grants(topics, backbones).stream().map(Grant::binding).toList();
    }

    private static void topic(Set<Grant> out, String principal, AclOperation operation, String... names) {
        for (String name : names) {
            out.add(new Grant(principal, ResourceType.TOPIC, name, PatternType.LITERAL, operation));
        }
    }
}
