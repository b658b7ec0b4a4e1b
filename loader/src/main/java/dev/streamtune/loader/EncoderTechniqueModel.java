package dev.streamtune.loader;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.backbone.BackboneTokenizer;
import dev.streamtune.model.backbone.TokenizedText;
import dev.streamtune.model.peft.EncoderClassifier;
import dev.streamtune.model.technique.BatchInput;
import java.util.Arrays;
import java.util.Comparator;
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
 * manager); {@link #close()} frees them and leaves the encoder alone. {@code ServingModels} closes a model when a newer
 * version of its task replaces it: {@code close()} waits for the predictions already running on it, and a prediction
 * that starts after it fails with {@link ModelClosedException} (the serving map retries those on the new model).
 * Predictions may run concurrently with each other.
 */
final class EncoderTechniqueModel implements LoadedModel, AutoCloseable {
    /** Rows per forward pass when predicting many texts: enough to amortise the call, small enough for a CPU. */
    static final int BATCH_ROWS = 32;
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
        return predictTexts(List.of(text)).get(0);
    }

    /**
     * Batches of up to {@value #BATCH_ROWS} texts of similar length (sorted by token count, so padding stays short),
     * one forward pass each; predictions come back in the order of {@code texts}.
     */
    @Override
    public List<Prediction> predictTexts(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        if (texts.isEmpty()) {
            return List.of();
        }
        List<TokenizedText> tokens = tokenizer.encodeAll(texts);
        Integer[] order = new Integer[tokens.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> tokens.get(i).tokenCount()));
        Prediction[] predictions = new Prediction[texts.size()];
        int labelCount = labels().size();
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new ModelClosedException(task(), version());
            }
            for (int from = 0; from < order.length; from += BATCH_ROWS) {
                int rows = Math.min(BATCH_ROWS, order.length - from);
                int[][] ids = new int[rows][];
                int[][] mask = new int[rows][];
                for (int r = 0; r < rows; r++) {
                    TokenizedText text = tokens.get(order[from + r]);
                    ids[r] = toInts(text.inputIds());
                    mask[r] = toInts(text.attentionMask());
                }
                float[] probabilities;
                try (NDManager step = classifier.manager().newSubManager()) {
                    NDArray logits = classifier.logits(new BatchInput.TokenIds(ids, mask), step);
                    probabilities = HostReadback.floats(logits.softmax(1));
                }
                for (int r = 0; r < rows; r++) {
                    predictions[order[from + r]] = Prediction.of(labels(),
                            Arrays.copyOfRange(probabilities, r * labelCount, (r + 1) * labelCount), version());
                }
            }
            return List.of(predictions);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private static int[] toInts(long[] values) {
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            ints[i] = Math.toIntExact(values[i]);
        }
        return ints;
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
