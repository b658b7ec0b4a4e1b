package dev.streamtune.app;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the topics of a run under faults must show, checked from the topics alone (read_committed), as Kafka's
 * {@code transactions_test} checks its output set against its input set: a pure function of decoded records, so
 * it is unit-tested without a broker and {@code bench faults} only reads the topics and calls it.
 *
 * <ul>
 *   <li>every acknowledged example is in exactly one split or the dead-letter topic ({@link Result#lostExamples},
 *       {@link Result#duplicateExamples});</li>
 *   <li>one feature vector per routed example ({@link Result#missingFeatures}, {@link Result#duplicateFeatures});</li>
 *   <li>every train record the trainer reads is in exactly one version's new-data ranges
 *       ({@link Result#untrainedOffsets}, {@link Result#doublyTrainedOffsets});</li>
 *   <li>no version number appears twice ({@link Result#duplicateVersions});</li>
 *   <li>the champion chain is consistent: each promotion or rollback names the champion before it as its previous
 *       version, and promotes a version that was published ({@link Result#chainBreaks}).</li>
 * </ul>
 */
final class FaultCheck {
    private FaultCheck() {}

    /** A record's coordinates. */
    record Position(String topic, int partition, long offset) {}

    /** A routed example: in a split topic (or, with {@code split} "dlq", the dead-letter topic). */
    record Routed(String exampleId, String split) {}

    /** A train record the trainer reads, by its position, with its example's id. */
    record TrainRecord(Position position, String exampleId) {}

    /** A published version: its number, its new-data ranges and when it was published. */
    record Version(long version, List<Range> newRanges, long publishedAtMs) {}

    /** Offsets {@code [from, until)} of one partition. */
    record Range(String topic, int partition, long from, long until) {
        boolean covers(Position p) {
            return topic.equals(p.topic()) && partition == p.partition() && p.offset() >= from && p.offset() < until;
        }
    }

    /** A PROMOTE or ROLLBACK, in the updates topic's order. */
    record ChampionChange(long version, Long previousVersion) {}

    /** What the checks found; {@link #clean()} when nothing was lost or doubled. */
    record Result(long acknowledged, List<String> lostExamples, List<String> duplicateExamples, List<String> missingFeatures,
            List<String> duplicateFeatures, List<Position> untrainedOffsets, List<Position> doublyTrainedOffsets,
            List<Long> duplicateVersions, List<String> chainBreaks, int versions, List<Double> freshnessSeconds) {

        long lost() {
            return lostExamples.size() + missingFeatures.size() + untrainedOffsets.size();
        }

        long duplicates() {
            return duplicateExamples.size() + duplicateFeatures.size() + doublyTrainedOffsets.size() + duplicateVersions.size();
        }

        boolean clean() {
            return lost() == 0 && duplicates() == 0 && chainBreaks.isEmpty();
        }

        /** The p-th percentile (0..100) of produce-to-version latency, or NaN when no example was trained. */
        double freshnessPercentile(double p) {
            if (freshnessSeconds.isEmpty()) {
                return Double.NaN;
            }
            List<Double> sorted = new ArrayList<>(freshnessSeconds);
            sorted.sort(null);
            int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
        }

        Map<String, Object> breakdown() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("acknowledged", acknowledged);
            out.put("lost_examples", lostExamples.size());
            out.put("duplicate_examples", duplicateExamples.size());
            out.put("missing_features", missingFeatures.size());
            out.put("duplicate_features", duplicateFeatures.size());
            out.put("untrained_offsets", untrainedOffsets.size());
            out.put("doubly_trained_offsets", doublyTrainedOffsets.size());
            out.put("duplicate_versions", duplicateVersions.size());
            out.put("chain_breaks", chainBreaks);
            return out;
        }
    }

    /**
     * @param acknowledged example id to the time the broker acknowledged it (CreateTime, ms)
     * @param routed       every record of the task in the splits and the dead-letter topic
     * @param features     the example id of every feature vector of the task (corrections excluded)
     * @param train        the train records the trainer reads (those its ranges refer to)
     * @param versions     the published versions of the task
     * @param changes      the task's promotions and rollbacks in order
     */
    static Result check(Map<String, Long> acknowledged, List<Routed> routed, List<String> features, List<TrainRecord> train,
            List<Version> versions, List<ChampionChange> changes) {
        Map<String, Integer> routedCount = counts(routed.stream().map(Routed::exampleId).toList());
        List<String> lost = new ArrayList<>();
        for (String id : acknowledged.keySet()) {
            if (!routedCount.containsKey(id)) {
                lost.add(id);
            }
        }
        List<String> doubled = over(routedCount);

        Set<String> featurized = new HashSet<>();
        for (Routed r : routed) {
            if (!"dlq".equals(r.split())) {
                featurized.add(r.exampleId());
            }
        }
        Map<String, Integer> featureCount = counts(features);
        List<String> missingFeatures = new ArrayList<>();
        for (String id : featurized) {
            if (!featureCount.containsKey(id)) {
                missingFeatures.add(id);
            }
        }

        List<Position> untrained = new ArrayList<>();
        List<Position> doublyTrained = new ArrayList<>();
        List<Double> freshness = new ArrayList<>();
        for (TrainRecord t : train) {
            List<Version> covering = versions.stream().filter(v -> v.newRanges().stream().anyMatch(r -> r.covers(t.position()))).toList();
            if (covering.isEmpty()) {
                untrained.add(t.position());
            } else if (covering.size() > 1) {
                doublyTrained.add(t.position());
            }
            Long producedAt = acknowledged.get(t.exampleId());
            if (!covering.isEmpty() && producedAt != null) {
                long first = covering.stream().mapToLong(Version::publishedAtMs).min().orElseThrow();
                freshness.add(Math.max(0, first - producedAt) / 1000.0);
            }
        }

        Map<Long, Integer> versionCount = new HashMap<>();
        versions.forEach(v -> versionCount.merge(v.version(), 1, Integer::sum));
        List<Long> duplicateVersions = versionCount.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .sorted().toList();

        List<String> breaks = new ArrayList<>();
        Long champion = null;
        for (ChampionChange c : changes) {
            if (!Objects.equals(c.previousVersion(), champion)) {
                breaks.add("v" + c.version() + " names v" + c.previousVersion() + " as the champion before it, which was v" + champion);
            }
            if (!versionCount.containsKey(c.version())) {
                breaks.add("v" + c.version() + " became champion but was never published");
            }
            champion = c.version();
        }
        return new Result(acknowledged.size(), lost, doubled, missingFeatures, over(featureCount), untrained, doublyTrained,
                duplicateVersions, breaks, versionCount.size(), freshness);
    }

    private static Map<String, Integer> counts(List<String> ids) {
        Map<String, Integer> out = new HashMap<>();
        ids.forEach(id -> out.merge(id, 1, Integer::sum));
        return out;
    }

    private static List<String> over(Map<String, Integer> counts) {
        return counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
    }
}
