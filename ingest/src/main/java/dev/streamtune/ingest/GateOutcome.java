package dev.streamtune.ingest;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.TaskSpec;

/**
 * What the gate (decode + validate) and the task registry emit per record; the topology branches
 * on the type.
 */
sealed interface GateOutcome {
    /** A valid example, keyed downstream by (task, id) for dedupe. */
    record Passed(LabelledExample example) implements GateOutcome {}

    /** The original key and value bytes, bound for the dead-letter topic (reason in the headers). */
    record DeadLetter(byte[] key, byte[] value) implements GateOutcome {}

    /**
     * The raw bytes of a valid example that would create its task or add a label to it, keyed by
     * task, for the task registry to decide on: only the registry knows the task's label set
     * exactly, so only it can hold the set to its limit. The original key and where the record was
     * read travel in headers ({@link LabelRequests}).
     */
    record LabelRequest(byte[] value) implements GateOutcome {}

    /** A task declaration the registry publishes on the tasks topic. */
    record TaskUpdate(TaskSpec spec) implements GateOutcome {}
}
