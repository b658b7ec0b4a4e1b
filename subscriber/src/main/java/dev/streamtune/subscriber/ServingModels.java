package dev.streamtune.subscriber;

import dev.streamtune.loader.LoadedModel;
import dev.streamtune.loader.ModelClosedException;
import dev.streamtune.loader.ModelLoader;
import dev.streamtune.loader.ModelRejectedException;
import dev.streamtune.loader.Prediction;
import dev.streamtune.loader.RejectionReason;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.schemas.signing.SignatureRefusedException;
import dev.streamtune.schemas.signing.TrustedKeys;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a process serves, one per task, and the rule for replacing them: an update is verified and loaded
 * completely first, then swapped in with one atomic reference write. A caller reads the reference once per call, so
 * a call in flight finishes on the model it started with; a refused update leaves the current model serving.
 *
 * <p>A replaced model that is {@link AutoCloseable} (one that holds native tensors, such as
 * {@code EncoderTechniqueModel} of the loader) is closed right after the swap, once the calls running on it finish.
 *
 * <p>Nothing is loaded before its signature verifies: an update must be signed by one of the trusted evaluator keys
 * over exactly its action, version, provenance and delta digest, and must not be older than the update serving
 * (a replayed earlier promotion is refused). Digests in the event alone prove nothing, since whoever writes the
 * event can recompute them.
 *
 * <p>Updates are applied by one thread (the subscriber's poll loop); any number of threads may predict.
 */
public final class ServingModels {
    private static final Logger LOG = LoggerFactory.getLogger(ServingModels.class);

    private final ModelLoader loader;
    private final TrustedKeys trusted;
    private final Map<String, Instant> servingSince = new HashMap<>();
    private final Map<RejectionReason, java.util.concurrent.atomic.AtomicLong> rejected =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicReference<Map<String, LoadedModel>> models = new AtomicReference<>(Map.of());
    private final List<Consumer<ModelSwap>> swapListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<ModelRejectedException>> rejectionListeners = new CopyOnWriteArrayList<>();

    /**
     * @param loader  verifies and decodes a version's delta
     * @param trusted the evaluators' public keys; updates signed by any other key, or unsigned, are refused
     */
    public ServingModels(ModelLoader loader, TrustedKeys trusted) {
        this.loader = Objects.requireNonNull(loader, "loader");
        this.trusted = Objects.requireNonNull(trusted, "trusted");
    }

    public void onUpdate(Consumer<ModelSwap> listener) {
        swapListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void onRejected(Consumer<ModelRejectedException> listener) {
        rejectionListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Verifies, loads and swaps in one update.
     *
     * @return true when the update now serves (or already did: the same version with the same delta is a no-op),
     *         false when it was refused and the previous model keeps serving
     */
    public boolean apply(ModelUpdate update) {
        Objects.requireNonNull(update, "update");
        String task = update.getTask();
        LoadedModel current = models.get().get(task);
        try {
            trusted.verify(update);
        } catch (SignatureRefusedException e) {
            reject(new ModelRejectedException(RejectionReason.of(e.reason()), task, update.getVersion(), e.getMessage()));
            return false;
        }
        Instant since = servingSince.get(task);
        if (since != null && update.getTimestamp() != null && update.getTimestamp().isBefore(since)) {
            reject(new ModelRejectedException(RejectionReason.REPLAYED, task, update.getVersion(), "the update is"
                    + " signed at " + update.getTimestamp() + ", before the serving update's " + since
                    + "; an older promotion replayed is not served"));
            return false;
        }
        if (current != null && update.getModel() != null && current.version() == update.getVersion()
                && current.deltaSha256().equals(update.getModel().getDelta().getSha256())) {
            return true;
        }
        LoadedModel loaded;
        try {
            if (update.getModel() == null || update.getModel().getVersion() != update.getVersion()
                    || !Objects.equals(update.getModel().getTask(), task)) {
                throw new ModelRejectedException(RejectionReason.INVALID_METADATA, task, update.getVersion(),
                        "the update's task/version (" + task + "/" + update.getVersion() + ") differ from its model's ("
                                + (update.getModel() == null ? "none" : update.getModel().getTask() + "/"
                                        + update.getModel().getVersion()) + ")");
            }
            loaded = loader.load(update.getModel());
        } catch (ModelRejectedException e) {
            reject(e);
            return false;
        }
        swap(task, loaded);
        if (update.getTimestamp() != null) {
            servingSince.put(task, update.getTimestamp());
        }
        ModelSwap swap = new ModelSwap(task, current == null ? null : current.version(), loaded.version(),
                update.getAction(), update.getReason(), loaded);
        LOG.info("task '{}': now serving version {} ({}, was {}): {}", task, loaded.version(), update.getAction(),
                swap.previousVersion(), update.getReason());
        for (Consumer<ModelSwap> listener : swapListeners) {
            try {
                listener.accept(swap);
            } catch (RuntimeException e) {
                LOG.warn("an onUpdate listener failed on task '{}' version {}", task, loaded.version(), e);
            }
        }
        return true;
    }

    /**
     * Applies the newest of a task's updates that loads, newest first: how a process that starts late takes the
     * current champion at once, and still serves the last good one if the newest is refused.
     *
     * @param newestFirst one task's updates, newest first
     * @return the update that serves, if any loaded
     */
    public Optional<ModelUpdate> applyNewestLoadable(List<ModelUpdate> newestFirst) {
        for (ModelUpdate update : newestFirst) {
            if (apply(update)) {
                return Optional.of(update);
            }
        }
        return Optional.empty();
    }

    /** Reports a refusal that happened before an update could be applied (an event that does not decode). */
    public void reject(ModelRejectedException e) {
        rejected.computeIfAbsent(e.reason(), r -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
        LoadedModel current = e.task() == null ? null : models.get().get(e.task());
        LOG.warn("{}; {}", e.getMessage(), current != null
                ? "version " + current.version() + " keeps serving" : "no model serves this task yet");
        for (Consumer<ModelRejectedException> listener : rejectionListeners) {
            try {
                listener.accept(e);
            } catch (RuntimeException listenerFailure) {
                LOG.warn("an onRejected listener failed", listenerFailure);
            }
        }
    }

    private void swap(String task, LoadedModel loaded) {
        // single writer, so copy-on-write needs no retry loop; readers see the old map or the new one, never a mix
        Map<String, LoadedModel> next = new HashMap<>(models.get());
        LoadedModel replaced = next.put(task, loaded);
        models.set(Collections.unmodifiableMap(next));
        if (replaced instanceof AutoCloseable closeable && replaced != loaded) {
            // models that hold native tensors (encoder techniques) free them here; close() waits for the calls
            // already running on the replaced model, and calls that reach it later are retried by predict
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("task '{}': closing replaced version {} failed", task, replaced.version(), e);
            }
        }
    }

    /** Refused updates so far, by reason (forgeries count as UNSIGNED, UNTRUSTED_KEY, BAD_SIGNATURE, REPLAYED). */
    public Map<RejectionReason, Long> rejections() {
        Map<RejectionReason, Long> out = new java.util.EnumMap<>(RejectionReason.class);
        rejected.forEach((reason, count) -> out.put(reason, count.get()));
        return out;
    }

    /** The model serving {@code task} right now, if any. */
    public Optional<LoadedModel> current(String task) {
        return Optional.ofNullable(models.get().get(task));
    }

    /** Every task's serving model. */
    public Map<String, LoadedModel> all() {
        return models.get();
    }

    /**
     * Predicts with {@code task}'s current model; a swap during the call does not affect it. A call that read the
     * map just before a swap and reached the replaced model after it was closed runs again on the new model.
     */
    public Prediction predict(String task, String text) {
        while (true) {
            LoadedModel model = models.get().get(task);
            if (model == null) {
                throw new IllegalStateException("no model serves task '" + task + "' yet; serving: "
                        + models.get().keySet());
            }
            try {
                return model.predictText(text);
            } catch (ModelClosedException e) {
                if (models.get().get(task) == model) {
                    throw e;
                }
            }
        }
    }
}
