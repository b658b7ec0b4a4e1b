package dev.streamtune.trainer.service;

import dev.streamtune.avro.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which trainers {@link TaskTrainers} starts, stops and restarts: a pure function of the declared
 * tasks (the compacted {@code tasks} topic read so far), the trainers running and which tasks this
 * supervisor may train. Kafka-free, so every rule is unit-tested without a broker.
 *
 * <ul>
 *   <li>a declared task this supervisor trains and that has no trainer gets one ({@link Action#START});</li>
 *   <li>a trainer whose task was removed (a tombstone) is stopped, checkpointing ({@link Action#STOP});</li>
 *   <li>a task redeclared with a different technique, settings or label set is restarted
 *       ({@link Action#RESTART}): a trainer reads its spec once, at start;</li>
 *   <li>a trainer that failed stays failed until its task is redeclared differently (no restart loop
 *       on a failure that would only repeat); it is reported, never silent.</li>
 * </ul>
 */
public final class TrainerRoster {
    private TrainerRoster() {}

    public enum Action { START, STOP, RESTART }

    /** One thing to do, with why, for the log. */
    public record Decision(Action action, String task, String why) {}

    /** A trainer as the supervisor sees it: the spec it was started with and whether its loop still runs. */
    public record Running(String fingerprint, boolean alive) {}

    /**
     * What of a {@link TaskSpec} a trainer depends on: the technique, settings and label set. The time of
     * declaration and the description are left out, so re-declaring the same task (as {@code produce --corpus}
     * does before each run) does not restart its trainer.
     */
    public static String fingerprint(TaskSpec spec) {
        return spec.getTechnique() + "|" + new TreeMap<>(stringMap(spec.getSettings())) + "|" + spec.getLabels()
                + "|" + (spec.getLabelSetClosed() ? "closed" : "open");
    }

    private static Map<String, String> stringMap(Map<? extends CharSequence, ? extends CharSequence> settings) {
        Map<String, String> out = new TreeMap<>();
        settings.forEach((k, v) -> out.put(k.toString(), String.valueOf(v)));
        return out;
    }

    /**
     * @param declared task name to {@link #fingerprint} of its latest declaration
     * @param running  trainers this supervisor holds, by task
     * @param only     the tasks this supervisor trains; empty: every declared task
     * @return the decisions, stops first (a stop frees the checkpoint directory a restart reuses), each task once
     */
    public static List<Decision> decide(Map<String, String> declared, Map<String, Running> running, Set<String> only) {
        Objects.requireNonNull(declared, "declared");
        Objects.requireNonNull(running, "running");
        Objects.requireNonNull(only, "only");
        List<Decision> stops = new ArrayList<>();
        List<Decision> starts = new ArrayList<>();
        for (String task : new TreeSet<>(running.keySet())) {
            Running trainer = running.get(task);
            String spec = declared.get(task);
            if (spec == null) {
                stops.add(new Decision(Action.STOP, task, "task '" + task + "' was removed from the tasks topic"));
            } else if (!spec.equals(trainer.fingerprint())) {
                starts.add(new Decision(Action.RESTART, task, "task '" + task + "' was redeclared: " + spec));
            }
        }
        for (String task : new TreeSet<>(declared.keySet())) {
            if (!running.containsKey(task) && trains(only, task)) {
                starts.add(new Decision(Action.START, task, "task '" + task + "' is declared: " + declared.get(task)));
            }
        }
        List<Decision> out = new ArrayList<>(stops);
        out.addAll(starts);
        return out;
    }

    /** Whether a supervisor limited to {@code only} (empty: every task) trains {@code task}. */
    public static boolean trains(Set<String> only, String task) {
        return only.isEmpty() || only.contains(task);
    }
}
