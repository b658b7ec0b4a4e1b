package dev.streamtune.schemas.topics;

import java.util.List;
import java.util.stream.Collectors;

/** A service refuses to start: topics it uses contradict the declaration. The message lists every drift. */
public final class TopicDriftException extends IllegalStateException {
    private final transient List<TopicDrift> drifts;

    public TopicDriftException(List<TopicDrift> drifts, boolean unsafeOnly) {
        super(drifts.stream().map(TopicDrift::message).collect(Collectors.joining("; "))
                + (unsafeOnly ? " (refused even under " + TopicDriftPolicy.OPTION + ")"
                        : " (fix the topic, or start with " + TopicDriftPolicy.OPTION + " / "
                                + TopicDriftPolicy.ENV + "=true to only warn)"));
        this.drifts = List.copyOf(drifts);
    }

    public List<TopicDrift> drifts() {
        return drifts;
    }
}
