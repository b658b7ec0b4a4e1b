package dev.streamtune.evaluator.service;

import dev.streamtune.schemas.topics.TopicDeclaration;
import dev.streamtune.schemas.topics.TopicProvisioner;
import java.util.List;

/** The topics the evaluator writes, created at its start when absent, as the one declaration has them. */
final class EvaluatorTopics {

    private EvaluatorTopics() {
    }

    /** The updates topic is compacted (its latest record per task is the champion); both are created if absent. */
    static void ensure(EvaluatorConfig config) {
        TopicDeclaration declared = new TopicDeclaration(config.topics(), 1);
        TopicProvisioner.create(config.bootstrapServers(), config.kafkaClient(),
                declared.specs(List.of(config.topics().updates(), config.topics().metrics())));
    }
}
