package dev.streamtune.subscriber;

import dev.streamtune.loader.LoadedModel;
import dev.streamtune.avro.UpdateAction;

/**
 * A task's serving model was replaced.
 *
 * @param previousVersion the version served before, or null for the task's first model in this process
 * @param action          PROMOTE or ROLLBACK, as the update said
 * @param reason          the update's reason (the gate's verdict, or the operator's rollback note)
 * @param model           the model now served
 */
public record ModelSwap(String task, Long previousVersion, long version, UpdateAction action, String reason,
        LoadedModel model) {
}
