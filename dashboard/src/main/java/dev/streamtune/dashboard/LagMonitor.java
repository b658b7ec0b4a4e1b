package dev.streamtune.dashboard;

import dev.streamtune.dashboard.DashboardSnapshot.GroupLag;
import dev.streamtune.dashboard.DashboardSnapshot.LagReport;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls how far each watched consumer group is behind: the sum over its partitions of the end
 * offset minus the committed offset (Kafka's own definition of lag, as {@code kafka-consumer-groups}
 * prints it). A failed poll is reported in the state and retried at the next tick.
 */
public final class LagMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LagMonitor.class);
    private static final long ADMIN_TIMEOUT_SECONDS = 10;

    private final DashboardConfig config;
    private final DashboardState state;
    private final Admin admin;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;

    LagMonitor(DashboardConfig config, DashboardState state, Clock clock) {
        this.config = config;
        this.state = state;
        this.clock = clock;
        this.admin = Admin.create(config.kafkaClient().with(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "streamtune-dashboard-lag")));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dashboard-lag-poller");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        long periodMillis = config.lagPollInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::pollOnce, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    void pollOnce() {
        try {
            state.updateLag(new LagReport(measure(), clock.millis(), null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            String why = e instanceof ExecutionException ? String.valueOf(e.getCause()) : e.toString();
            LOG.debug("consumer lag poll failed: {}", why);
            state.updateLag(new LagReport(state.snapshot().lag().groups(), clock.millis(), "lag poll failed: " + why));
        }
    }

    /**
     * The lag of {@code config}'s watched groups (every group when none are named), measured once, as the
     * dashboard's poller measures it: what {@code streamtune status} prints.
     */
    public static List<GroupLag> measureOnce(DashboardConfig config)
            throws InterruptedException, ExecutionException, TimeoutException {
        try (Admin admin = Admin.create(config.kafkaClient().with(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "streamtune-status-lag")))) {
            return measure(admin, config.watchedGroups());
        }
    }

    /**
     * The pipeline stage a consumer group belongs to, by the groups' standard names: {@code ingest},
     * {@code featurizer}, {@code trainer} or {@code evaluator}; {@code other} for any other group.
     */
    public static String stageOf(String group) {
        for (String stage : List.of("ingest", "featurizer", "trainer", "evaluator")) {
            if (group.startsWith("streamtune-" + stage)) {
                return stage;
            }
        }
        return "other";
    }

    private List<GroupLag> measure() throws InterruptedException, ExecutionException, TimeoutException {
        return measure(admin, config.watchedGroups());
    }

    private static List<GroupLag> measure(Admin admin, Collection<String> watched)
            throws InterruptedException, ExecutionException, TimeoutException {
        Collection<String> groups = watched;
        if (groups.isEmpty()) {
            List<String> all = new ArrayList<>();
            for (ConsumerGroupListing listing : admin.listConsumerGroups().all()
                    .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                all.add(listing.groupId());
            }
            groups = all;
        }
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committedByGroup = new TreeMap<>();
        for (String group : groups) {
            Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .forEach((tp, offset) -> {
                        if (offset != null) {
                            committed.put(tp, offset);
                        }
                    });
            if (!committed.isEmpty()) {
                committedByGroup.put(group, committed);
            }
        }
        Map<TopicPartition, OffsetSpec> wanted = new HashMap<>();
        committedByGroup.values().forEach(m -> m.keySet().forEach(tp -> wanted.put(tp, OffsetSpec.latest())));
        Map<TopicPartition, ListOffsetsResultInfo> ends = wanted.isEmpty() ? Map.of()
                : admin.listOffsets(wanted).all().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<GroupLag> result = new ArrayList<>();
        committedByGroup.forEach((group, committed) -> result.add(lagOf(group, committed, ends)));
        return result;
    }

    /** End minus committed per partition, never negative (an end offset read just before a commit). */
    static GroupLag lagOf(String group, Map<TopicPartition, OffsetAndMetadata> committed,
                          Map<TopicPartition, ListOffsetsResultInfo> ends) {
        long total = 0;
        TreeMap<String, Long> byTopic = new TreeMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
            ListOffsetsResultInfo end = ends.get(e.getKey());
            if (end == null) {
                continue;
            }
            long lag = Math.max(0, end.offset() - e.getValue().offset());
            total += lag;
            byTopic.merge(e.getKey().topic(), lag, Long::sum);
        }
        return new GroupLag(group, total, committed.size(), byTopic);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(java.time.Duration.ofSeconds(2));
    }
}
