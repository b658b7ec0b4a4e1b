package dev.streamtune.ingest;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.TaskSpec;

/** What the gate (decode + validate) emits per raw record; the topology branches on the type. */
sealed interface GateOutcome {
    /** A valid example, keyed downstream by (task, id) for dedupe. */
    record Passed(LabelledExample example) implements GateOutcome {}

    /** The original key and value bytes, bound for the dead-letter topic (reason in the headers). */
    record DeadLetter(byte[] key, byte[] value) implements GateOutcome {}

    /** A request to create a task or add a label to an open task, keyed by task. */
    record LabelProposal(TaskSpec proposal) implements GateOutcome {}
}
