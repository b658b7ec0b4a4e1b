package dev.streamtune.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.backbone.BackboneTokenizer;
import dev.streamtune.model.backbone.BackboneWeights;
import dev.streamtune.model.backbone.EncoderSignature;
import dev.streamtune.model.backbone.MeanPooling;
import dev.streamtune.model.backbone.TokenizedText;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The frozen backbone as a sentence embedder: texts in, L2-normalized mean-pooled vectors out
 * (the sentence-transformers recipe for all-MiniLM-L6-v2), run by ONNX Runtime.
 *
 * <p>Cost grows with tokens, not texts, so each batch is padded only to its own longest text, and
 * texts are length-bucketed: a window of texts is sorted by token count and cut into batches, so
 * short texts are not padded up to long ones. Results come back in input order.
 *
 * <p>Thread-safe: ONNX Runtime sessions and the tokenizer may be used concurrently.
 */
public final class SentenceEmbedder implements TextEncoder {

    private final EmbedderConfig config;
    private final Backbone backbone;
    private final String weightsSha256;
    private final BackboneTokenizer tokenizer;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final EncoderSignature signature;

    private SentenceEmbedder(EmbedderConfig config, Backbone backbone, String weightsSha256, BackboneTokenizer tokenizer,
                             OrtEnvironment environment, OrtSession session, EncoderSignature signature) {
        this.config = config;
        this.backbone = backbone;
        this.weightsSha256 = weightsSha256;
        this.tokenizer = tokenizer;
        this.environment = environment;
        this.session = session;
        this.signature = signature;
    }

    /** Opens the embedder for a backbone from the standard (ServiceLoader) registry. */
    public static SentenceEmbedder open(EmbedderConfig config) {
        return open(config, BackboneRegistry.standard());
    }

    public static SentenceEmbedder open(EmbedderConfig config, BackboneRegistry registry) {
        Backbone backbone = registry.byId(config.backboneId());
        if (config.maxTokens() > backbone.maxPositions()) {
            throw new IllegalArgumentException("maxTokens must be at most " + backbone.maxPositions()
                    + " (the max positions of backbone '" + backbone.id() + "'), was " + config.maxTokens());
        }
        BackboneTokenizer tokenizer = BackboneTokenizer.load(backbone, config.maxTokens());
        OrtSession session = null;
        try {
            BackboneWeights weights = backbone.loadWeights();
            OrtEnvironment environment = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = sessionOptions(config.intraOpThreads())) {
                // from bytes: the ONNX file lives inside a jar, and is read exactly once here
                session = environment.createSession(weights.onnxBytes(), options);
            }
            EncoderSignature signature = EncoderSignature.read(session, backbone);
            return new SentenceEmbedder(config, backbone, weights.sha256(), tokenizer, environment, session, signature);
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session, e);
            tokenizer.close();
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("backbone '" + backbone.id() + "': ONNX Runtime cannot load the model", e);
        }
    }

    /**
     * The session options every embedder uses: {@code intraOpThreads} threads inside each operator,
     * operators run one after another (an encoder is a chain, inter-op parallelism buys nothing),
     * all graph optimizations on.
     */
    public static OrtSession.SessionOptions sessionOptions(int intraOpThreads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return options;
        } catch (OrtException e) {
            options.close();
            throw e;
        }
    }

    @Override
    public String backboneId() {
        return backbone.id();
    }

    @Override
    public String backboneSha256() {
        return weightsSha256;
    }

    /** The texts tokenized once, so each one's token count after truncation comes with its vector. */
    @Override
    public List<Encoded> encode(List<String> texts) {
        List<TokenizedText> tokenized = tokenizer.encodeAll(texts);
        float[][] vectors = embedTokenized(tokenized);
        List<Encoded> out = new java.util.ArrayList<>(texts.size());
        for (int i = 0; i < vectors.length; i++) {
            out.add(new Encoded(vectors[i], tokenized.get(i).tokenCount()));
        }
        return out;
    }

    /** One text's vector, without building an {@link Encoded} list. */
    @Override
    public float[] encode(String text) {
        return embed(List.of(text))[0];
    }

    public EmbedderConfig config() {
        return config;
    }

    public Backbone backbone() {
        return backbone;
    }

    /** sha256 of the ONNX weights this session was built from (computed once, at load). */
    public String weightsSha256() {
        return weightsSha256;
    }

    /** Width of every vector this embedder returns. */
    public int dimension() {
        return signature.hiddenSize();
    }

    /** The input and output names read from the model. */
    public EncoderSignature signature() {
        return signature;
    }

    /** The tokenizer used by {@link #embed}, for callers that tokenize once and count tokens. */
    public BackboneTokenizer tokenizer() {
        return tokenizer;
    }

    /** Embeds texts; row {@code i} of the result is the unit-length vector of {@code texts.get(i)}. */
    public float[][] embed(List<String> texts) {
        return embedTokenized(tokenizer.encodeAll(texts), done -> { });
    }

    /** As {@link #embed(List)}, telling {@code batchDone} how many texts each finished batch held. */
    public float[][] embed(List<String> texts, IntConsumer batchDone) {
        return embedTokenized(tokenizer.encodeAll(texts), batchDone);
    }

    /** Embeds texts already tokenized by {@link #tokenizer()}; result in input order. */
    public float[][] embedTokenized(List<TokenizedText> texts) {
        return embedTokenized(texts, batchDone -> { });
    }

    /**
     * Embeds texts already tokenized by {@link #tokenizer()}; result in input order.
     * {@code batchDone} hears the size of each batch as it completes (for progress reporting).
     */
    public float[][] embedTokenized(List<TokenizedText> texts, IntConsumer batchDone) {
        float[][] result = new float[texts.size()][];
        int window = config.bucketWindow();
        for (int windowStart = 0; windowStart < texts.size(); windowStart += window) {
            int windowEnd = Math.min(texts.size(), windowStart + window);
            // stable sort of the window's indices by token count: neighbours have similar lengths
            Integer[] order = IntStream.range(windowStart, windowEnd).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.comparingInt(i -> texts.get(i).tokenCount()));
            for (int batchStart = 0; batchStart < order.length; batchStart += config.batchSize()) {
                int batchEnd = Math.min(order.length, batchStart + config.batchSize());
                Integer[] batch = Arrays.copyOfRange(order, batchStart, batchEnd);
                float[][] vectors = runBatch(texts, batch);
                for (int k = 0; k < batch.length; k++) {
                    result[batch[k]] = vectors[k];
                }
                batchDone.accept(batch.length);
            }
        }
        return result;
    }

    /** One ONNX Runtime call on {@code rows} of {@code texts}, padded to the longest of them. */
    private float[][] runBatch(List<TokenizedText> texts, Integer[] rows) {
        int batch = rows.length;
        int length = 0;
        for (Integer row : rows) {
            length = Math.max(length, texts.get(row).tokenCount());
        }
        // zero is [PAD] with token type 0 and mask 0: masked out of attention and of the pooling
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        long[] types = new long[batch * length];
        for (int r = 0; r < batch; r++) {
            TokenizedText text = texts.get(rows[r]);
            System.arraycopy(text.inputIds(), 0, ids, r * length, text.tokenCount());
            System.arraycopy(text.attentionMask(), 0, mask, r * length, text.tokenCount());
            System.arraycopy(text.tokenTypeIds(), 0, types, r * length, text.tokenCount());
        }
        long[] shape = {batch, length};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(signature.inputIds(), OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
            inputs.put(signature.attentionMask(), OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
            if (signature.tokenTypeIds().isPresent()) {
                inputs.put(signature.tokenTypeIds().get(), OnnxTensor.createTensor(environment, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result output = session.run(inputs, Set.of(signature.lastHiddenState()))) {
                FloatBuffer hidden = ((OnnxTensor) output.get(0)).getFloatBuffer();
                float[][] vectors = new float[batch][];
                for (int r = 0; r < batch; r++) {
                    vectors[r] = MeanPooling.poolAndNormalize(hidden, r, length, signature.hiddenSize(),
                            texts.get(rows[r]).attentionMask());
                }
                return vectors;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("backbone '" + backbone.id() + "': ONNX Runtime failed on a batch of "
                    + batch + " texts padded to " + length + " tokens", e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("backbone '" + backbone.id() + "': closing the ONNX Runtime session failed", e);
        } finally {
            tokenizer.close();
        }
    }

    private static void closeQuietly(OrtSession session, Exception cause) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException suppressed) {
                cause.addSuppressed(suppressed);
            }
        }
    }
}
