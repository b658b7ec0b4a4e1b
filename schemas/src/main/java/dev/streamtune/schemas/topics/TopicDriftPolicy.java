package dev.streamtune.schemas.topics;

/** What a service does at start when a topic it uses contradicts the declaration. */
public enum TopicDriftPolicy {
    /** Refuse to start, naming the topic, the setting, the expected and the actual value. The default. */
    REFUSE,
    /** Log each drift as a warning and start; unsafe replication is refused all the same. */
    WARN;

    /** The flag of {@code up} and {@code serve}. */
    public static final String OPTION = "--allow-topic-drift";
    /** The environment variable the flag defaults to ({@code true} or {@code false}). */
    public static final String ENV = "STREAMTUNE_ALLOW_TOPIC_DRIFT";

    public static TopicDriftPolicy allowDrift(boolean allow) {
        return allow ? WARN : REFUSE;
    }
}
