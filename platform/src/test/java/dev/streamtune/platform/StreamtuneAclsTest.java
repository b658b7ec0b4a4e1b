package dev.streamtune.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.platform.StreamtuneAcls.Grant;
import dev.streamtune.schemas.Topics;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class StreamtuneAclsTest {
    private static final Topics TOPICS = Topics.defaults();
    private static final List<Grant> GRANTS = StreamtuneAcls.grants(TOPICS, List.of("all-MiniLM-L6-v2"));

    /** The principals that may do {@code operation} on the topic named {@code topic} (literal or by prefix). */
    private static Set<String> allowed(AclOperation operation, String topic) {
        return GRANTS.stream().filter(g -> g.type() == ResourceType.TOPIC && g.operation() == operation)
                .filter(g -> g.pattern() == PatternType.LITERAL ? g.name().equals(topic) : topic.startsWith(g.name()))
                .map(Grant::principal).collect(Collectors.toSet());
    }

    @Test
    void onlyTheEvaluatorWritesModelUpdatesAndOnlyTrainersWriteCandidates() {
        assertThat(allowed(AclOperation.WRITE, TOPICS.updates())).containsExactly(StreamtuneAcls.EVALUATOR);
        assertThat(allowed(AclOperation.WRITE, TOPICS.candidates())).containsExactly(StreamtuneAcls.TRAINER);
        assertThat(allowed(AclOperation.CREATE, TOPICS.updates())).isEmpty();
        assertThat(allowed(AclOperation.ALL, TOPICS.updates())).isEmpty();
    }

    @Test
    void producersReachOnlyTheirInputsAndSubscribersOnlyReadUpdates() {
        Set<String> producerTopics = GRANTS.stream().filter(g -> g.principal().equals(StreamtuneAcls.PRODUCER))
                .map(Grant::name).collect(Collectors.toSet());
        assertThat(producerTopics).containsExactlyInAnyOrder(TOPICS.raw(), TOPICS.tasks());
        assertThat(GRANTS.stream().filter(g -> g.principal().equals(StreamtuneAcls.SUBSCRIBER)))
                .extracting(Grant::line).containsExactly("subscriber topic models.updates literal Read");
        assertThat(allowed(AclOperation.WRITE, TOPICS.raw())).containsExactly(StreamtuneAcls.PRODUCER);
        assertThat(allowed(AclOperation.WRITE, TOPICS.train())).containsExactly(StreamtuneAcls.INGEST);
        assertThat(allowed(AclOperation.WRITE, TOPICS.features("all-MiniLM-L6-v2"))).containsExactly(StreamtuneAcls.FEATURIZER);
    }

    @Test
    void noGrantCoversTheClusterOrEveryResource() {
        assertThat(GRANTS).noneMatch(g -> g.type() == ResourceType.CLUSTER || g.name().equals("*")
                || g.operation() == AclOperation.ALL || g.operation() == AclOperation.ALTER);
        assertThat(GRANTS).extracting(Grant::principal).containsOnlyElementsOf(StreamtuneAcls.PRINCIPALS);
        assertThat(GRANTS).doesNotHaveDuplicates();
        assertThat(StreamtuneAcls.bindings(TOPICS, List.of("all-MiniLM-L6-v2"))).hasSameSizeAs(GRANTS)
                .allSatisfy(b -> assertThat(b.entry().principal()).startsWith("User:"));
    }

    @Test
    void aTopicPrefixMovesEveryTopicGrant() {
        Topics prefixed = Topics.withPrefix("team-a.");
        List<Grant> grants = StreamtuneAcls.grants(prefixed, List.of("all-MiniLM-L6-v2"));
        assertThat(grants).filteredOn(g -> g.type() == ResourceType.TOPIC && g.pattern() == PatternType.LITERAL)
                .allSatisfy(g -> assertThat(g.name()).matches("team-a\\..*|_schemas"));
    }
}
