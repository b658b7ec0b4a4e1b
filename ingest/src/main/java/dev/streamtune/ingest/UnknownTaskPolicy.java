package dev.streamtune.ingest;

/** What ingest does with an example whose task is not declared on the tasks topic. */
public enum UnknownTaskPolicy {
    /** Accept it and declare the task, open (any label accepted), with the example's label. */
    AUTO_CREATE,
    /** Send it to the dead-letter topic with reason {@link RejectReason#UNKNOWN_TASK}. */
    REJECT
}
