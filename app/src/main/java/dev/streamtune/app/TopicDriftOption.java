package dev.streamtune.app;

import dev.streamtune.schemas.topics.TopicDriftPolicy;
import picocli.CommandLine.Option;

/** Whether a service starts, with a warning, on topics that contradict the declaration: shared by up and serve. */
final class TopicDriftOption {

    @Option(names = TopicDriftPolicy.OPTION, defaultValue = "${env:" + TopicDriftPolicy.ENV + ":-false}", fallbackValue = "true",
            arity = "0..1", description = "Start even where a topic's settings contradict the declaration, only warning"
                    + " (env " + TopicDriftPolicy.ENV + "). Unsafe replication is refused all the same. Default: ${DEFAULT-VALUE}")
    boolean allowDrift;

    TopicDriftPolicy policy() {
        return TopicDriftPolicy.allowDrift(allowDrift);
    }
}
