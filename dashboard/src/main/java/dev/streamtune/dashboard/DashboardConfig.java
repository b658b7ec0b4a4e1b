package dev.streamtune.dashboard;

import dev.streamtune.http.HttpServerConfig;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import java.time.Duration;
import java.util.List;

/**
 * What the dashboard listens on and what it watches.
 *
 * @param http              where and how the page listens: bind address (the loopback unless opened),
 *                          port (0 picks a free one, see {@link DashboardServer#port()}), handler
 *                          threads, timeouts (the write timeout also drops an event client that does
 *                          not read), header and body limits, connection cap
 * @param bootstrapServers  Kafka's {@code bootstrap.servers}
 * @param registryUrl       the schema registry the metrics and update records were written with
 * @param topics            where metrics, model updates and dead letters are read from
 * @param watchedGroups     consumer groups whose lag is shown; empty means every group the cluster has
 * @param lagPollInterval   how often committed offsets are compared with end offsets
 * @param heartbeatInterval how long an idle {@code /events} stream waits before a keep-alive comment,
 *                          which is also how a vanished client is noticed
 * @param maxEventClients   concurrent {@code /events} streams (more get 503); they hold no thread,
 *                          and one that falls behind is dropped (its browser reconnects)
 * @param seriesLimit       points kept per time series (prequential accuracy, throughput) and task;
 *                          older points are dropped so a long run keeps a bounded page and state
 * @param kafkaClient       security settings of its Kafka clients ({@link KafkaClientProperties#none()} for PLAINTEXT)
 */
public record DashboardConfig(
        HttpServerConfig http,
        String bootstrapServers,
        String registryUrl,
        Topics topics,
        List<String> watchedGroups,
        Duration lagPollInterval,
        Duration heartbeatInterval,
        int maxEventClients,
        int seriesLimit,
        KafkaClientProperties kafkaClient) {

    public static final int DEFAULT_PORT = 8080;

    public DashboardConfig {
        if (http == null) {
            throw new IllegalArgumentException("http must be given (HttpServerConfig.localhost(\"dashboard\", port))");
        }
        requireText("bootstrapServers", bootstrapServers);
        requireText("registryUrl", registryUrl);
        if (topics == null) {
            throw new IllegalArgumentException("topics must be given (Topics.defaults() for the standard names)");
        }
        if (watchedGroups == null) {
            throw new IllegalArgumentException("watchedGroups must be given (empty to watch every group)");
        }
        watchedGroups = List.copyOf(watchedGroups);
        for (String group : watchedGroups) {
            requireText("watchedGroups entry", group);
        }
        requireBetween("lagPollInterval", lagPollInterval, Duration.ofMillis(100), Duration.ofMinutes(10));
        requireBetween("heartbeatInterval", heartbeatInterval, Duration.ofMillis(100), Duration.ofMinutes(5));
        if (heartbeatInterval.compareTo(http.idleTimeout()) >= 0) {
            throw new IllegalArgumentException("heartbeatInterval (" + heartbeatInterval
                    + ") must be shorter than http.idleTimeout (" + http.idleTimeout() + "), or idle streams are cut");
        }
        if (maxEventClients < 1 || maxEventClients > 1_000) {
            throw new IllegalArgumentException("maxEventClients must be between 1 and 1000, was " + maxEventClients);
        }
        if (seriesLimit < 10 || seriesLimit > 100_000) {
            throw new IllegalArgumentException("seriesLimit must be between 10 and 100000, was " + seriesLimit);
        }
        if (kafkaClient == null) {
            throw new IllegalArgumentException("kafkaClient must be given (KafkaClientProperties.none() for PLAINTEXT)");
        }
    }

    /**
     * Defaults for everything but where Kafka and the registry are: the loopback interface, 4 handler
     * threads, 32 event clients, 4 KiB of request body (every route is a GET, and refuses the rest with 405).
     */
    public static DashboardConfig of(int port, String bootstrapServers, String registryUrl) {
        return new DashboardConfig(HttpServerConfig.localhost("dashboard", port).withThreads(4).withMaxBodyBytes(4_096),
                bootstrapServers, registryUrl, Topics.defaults(), List.of(), Duration.ofSeconds(3),
                Duration.ofSeconds(15), 32, 2_000, KafkaClientProperties.none());
    }

    /** The port asked for (0: any free one). */
    public int port() {
        return http.port();
    }

    /** Listens on {@code address}: {@code 0.0.0.0} opens the dashboard to every interface. */
    public DashboardConfig withBindAddress(String address) {
        return withHttp(http.withBindAddress(address));
    }

    public DashboardConfig withHttp(HttpServerConfig newHttp) {
        return new DashboardConfig(newHttp, bootstrapServers, registryUrl, topics, watchedGroups, lagPollInterval,
                heartbeatInterval, maxEventClients, seriesLimit, kafkaClient);
    }

    public DashboardConfig withMaxEventClients(int clients) {
        return new DashboardConfig(http, bootstrapServers, registryUrl, topics, watchedGroups, lagPollInterval,
                heartbeatInterval, clients, seriesLimit, kafkaClient);
    }

    public DashboardConfig withTopics(Topics newTopics) {
        return new DashboardConfig(http, bootstrapServers, registryUrl, newTopics, watchedGroups, lagPollInterval,
                heartbeatInterval, maxEventClients, seriesLimit, kafkaClient);
    }

    public DashboardConfig withWatchedGroups(List<String> groups) {
        return new DashboardConfig(http, bootstrapServers, registryUrl, topics, groups, lagPollInterval,
                heartbeatInterval, maxEventClients, seriesLimit, kafkaClient);
    }

    public DashboardConfig withLagPollInterval(Duration interval) {
        return new DashboardConfig(http, bootstrapServers, registryUrl, topics, watchedGroups, interval,
                heartbeatInterval, maxEventClients, seriesLimit, kafkaClient);
    }

    public DashboardConfig withHeartbeatInterval(Duration interval) {
        return new DashboardConfig(http, bootstrapServers, registryUrl, topics, watchedGroups, lagPollInterval,
                interval, maxEventClients, seriesLimit, kafkaClient);
    }

    public DashboardConfig withKafkaClient(KafkaClientProperties settings) {
        return new DashboardConfig(http, bootstrapServers, registryUrl, topics, watchedGroups, lagPollInterval,
                heartbeatInterval, maxEventClients, seriesLimit, settings);
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
    }

    private static void requireBetween(String field, Duration value, Duration min, Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", was " + value);
        }
    }
}
