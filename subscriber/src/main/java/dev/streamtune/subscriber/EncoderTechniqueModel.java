package dev.streamtune.subscriber;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.backbone.BackboneTokenizer;
import dev.streamtune.model.backbone.TokenizedText;
import dev.streamtune.model.peft.EncoderClassifier;
import dev.streamtune.model.technique.BatchInput;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A version of a technique that adapts the encoder: text is tokenized with the backbone's tokenizer (truncated to the
 * version's {@code max_tokens}), run through the shared frozen encoder with this version's tensors, and the head's
 * logits are turned into probabilities.
 *
 * <p>Native memory: this model owns only its technique's tensors and head (a sub-manager of the shared encoder's
 * manager); {@link #close()} frees them and leaves the encoder alone. {@link ServingModels} closes a model when a newer
 * version of its task replaces it: {@code close()} waits for the predictions already running on it, and a prediction
 * that starts after it fails with {@link ModelClosedException} (the serving map retries those on the new model).
 * Predictions may run concurrently with each other.
 */
final class EncoderTechniqueModel implements LoadedModel, AutoCloseable {
    private final ModelArtifact artifact;
    private final EncoderClassifier classifier;
    private final BackboneTokenizer tokenizer;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    EncoderTechniqueModel(ModelArtifact artifact, EncoderClassifier classifier, BackboneTokenizer tokenizer) {
        this.artifact = Objects.requireNonNull(artifact, "artifact");
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        if (classifier.labelCount() != artifact.labels().size()) {
            throw new IllegalArgumentException("the delta has " + classifier.labelCount() + " output rows but the version"
                    + " lists " + artifact.labels().size() + " labels");
        }
    }

    @Override
    public String task() {
        return artifact.task();
    }

    @Override
    public long version() {
        return artifact.version();
    }

    @Override
    public List<String> labels() {
        return artifact.labels();
    }

    @Override
    public String backboneId() {
        return artifact.backbone().id();
    }

    @Override
    public String techniqueId() {
        return artifact.spec().techniqueId();
    }

    @Override
    public String deltaSha256() {
        return artifact.delta().sha256();
    }

    /** The longest token row fed to the encoder, special tokens included. */
    int maxTokens() {
        return classifier.maxTokens();
    }

    @Override
    public boolean acceptsPooledFeatures() {
        return false;
    }

    @Override
    public Prediction predictFeatures(float[] pooledEmbedding) {
        throw new UnsupportedOperationException("technique '" + techniqueId() + "' changes the encoder, so version "
                + version() + " of task '" + task() + "' predicts from text only, not from the frozen pooled embedding");
    }

    @Override
    public Prediction predictText(String text) {
        Objects.requireNonNull(text, "text");
        TokenizedText tokens = tokenizer.encode(text);
        int[] ids = new int[tokens.inputIds().length];
        int[] mask = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Math.toIntExact(tokens.inputIds()[i]);
            mask[i] = Math.toIntExact(tokens.attentionMask()[i]);
        }
        BatchInput.TokenIds input = new BatchInput.TokenIds(new int[][] {ids}, new int[][] {mask});
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new ModelClosedException(task(), version());
            }
            float[] probabilities;
            try (NDManager step = classifier.manager().newSubManager()) {
                NDArray logits = classifier.logits(input, step);
                probabilities = HostReadback.floats(logits.softmax(1));
            }
            return Prediction.of(labels(), probabilities, version());
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Frees this version's tensors once the predictions running on it finish; idempotent. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                classifier.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "EncoderTechniqueModel[task=" + task() + ", version=" + version() + ", technique=" + techniqueId()
                + ", maxTokens=" + maxTokens() + ", labels=" + labels() + "]";
    }
}
