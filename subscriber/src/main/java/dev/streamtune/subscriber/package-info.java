/**
 * The library a downstream service embeds to serve Streamtune's current models.
 *
 * <ul>
 *   <li>{@link dev.streamtune.subscriber.ModelSubscriber} ({@link dev.streamtune.subscriber.SubscriberConfig})
 *       follows the compacted {@code models.updates} topic from the beginning, and offers
 *       {@code predict(text)}, {@code currentVersion()} and {@code onUpdate}/{@code onRejected} listeners.
 *   <li>{@link dev.streamtune.loader.ModelLoader} verifies a {@code ModelVersion} (backbone id, base weights
 *       digest, delta size and sha256) before decoding it into a {@link dev.streamtune.loader.LoadedModel};
 *       anything wrong is a {@link dev.streamtune.loader.ModelRejectedException} with a
 *       {@link dev.streamtune.loader.RejectionReason}. The evaluator loads candidates with the same loader.
 *   <li>{@link dev.streamtune.subscriber.ServingModels} is the atomic swap: verified and loaded first, then one
 *       reference write; calls in flight finish on the model they started with.
 *   <li>Techniques plug in through {@link dev.streamtune.loader.ModelFactory} (ServiceLoader); head-only is
 *       built in, and {@link dev.streamtune.loader.EncoderTechniqueModelFactory} loads prompt, LoRA (merged),
 *       BitFit, unfreeze and ATTEMPT versions onto one DJL MiniLM encoder per backbone per process. Those models
 *       predict from text only, hold native tensors, and are closed by the swap that replaces them. An ATTEMPT
 *       delta carries its frozen source prompts, so it loads without any other task's version. Deltas sent by
 *       URI come from an {@link dev.streamtune.loader.ArtifactStore}
 *       ({@link dev.streamtune.loader.DirectoryArtifactStore} by default).
 * </ul>
 */
package dev.streamtune.subscriber;
