package dev.streamtune.bench.featurizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.streamtune.model.backbone.Backbone;

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The baseline: the least code that embeds texts with ONNX Runtime. Batches in input order,
 * tokenize, pad to the longest of the batch, run, mean-pool, normalize. No bucketing, no checks.
 * Same model bytes, tokenizer, batch size and thread settings as the embedder it is compared with.
 */
final class RawOrtBaseline implements AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final HuggingFaceTokenizer tokenizer;
    private final OrtSession session;
    private final int batchSize;
    private final int hidden;

    RawOrtBaseline(Backbone backbone, int maxTokens, int batchSize, int threads) throws IOException, OrtException {
        this.batchSize = batchSize;
        this.hidden = backbone.hiddenSize();
        try (InputStream json = backbone.openTokenizerJson()) {
            tokenizer = HuggingFaceTokenizer.newInstance(json,
                    Map.of("padding", "false", "truncation", "true", "maxLength", Integer.toString(maxTokens)));
        }
        byte[] model;
        try (InputStream in = backbone.openOnnx()) {
            model = in.readAllBytes();
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(model, options);
        } catch (OrtException e) {
            tokenizer.close();
            throw e;
        }
    }

    float[][] embed(List<String> texts, IntConsumer batchDone) throws OrtException {
        float[][] result = new float[texts.size()][];
        for (int start = 0; start < texts.size(); start += batchSize) {
            List<String> batch = texts.subList(start, Math.min(texts.size(), start + batchSize));
            Encoding[] encodings = tokenizer.batchEncode(batch);
            int length = 0;
            for (Encoding e : encodings) {
                length = Math.max(length, e.getIds().length);
            }
            long[] ids = new long[batch.size() * length];
            long[] mask = new long[batch.size() * length];
            long[] types = new long[batch.size() * length];
            for (int r = 0; r < encodings.length; r++) {
                int n = encodings[r].getIds().length;
                System.arraycopy(encodings[r].getIds(), 0, ids, r * length, n);
                System.arraycopy(encodings[r].getAttentionMask(), 0, mask, r * length, n);
                System.arraycopy(encodings[r].getTypeIds(), 0, types, r * length, n);
            }
            long[] shape = {batch.size(), length};
            try (OnnxTensor idsT = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                 OnnxTensor maskT = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
                 OnnxTensor typesT = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape);
                 OrtSession.Result out = session.run(Map.of("input_ids", idsT, "attention_mask", maskT, "token_type_ids", typesT))) {
                FloatBuffer states = ((OnnxTensor) out.get(0)).getFloatBuffer();
                for (int r = 0; r < encodings.length; r++) {
                    int n = encodings[r].getIds().length;
                    float[] v = new float[hidden];
                    for (int t = 0; t < n; t++) {
                        for (int h = 0; h < hidden; h++) {
                            v[h] += states.get((r * length + t) * hidden + h);
                        }
                    }
                    double norm = 0;
                    for (int h = 0; h < hidden; h++) {
                        v[h] /= n;
                        norm += v[h] * v[h];
                    }
                    float inverse = (float) (1 / Math.sqrt(norm));
                    for (int h = 0; h < hidden; h++) {
                        v[h] *= inverse;
                    }
                    result[start + r] = v;
                }
            }
            batchDone.accept(batch.size());
        }
        return result;
    }

    @Override
    public void close() throws OrtException {
        try {
            session.close();
        } finally {
            tokenizer.close();
        }
    }
}
