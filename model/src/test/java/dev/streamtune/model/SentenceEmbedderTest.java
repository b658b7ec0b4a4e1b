package dev.streamtune.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.streamtune.model.backbone.BackboneRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The embedder against the real MiniLM weights; each model is loaded once for the class. */
@Tag("model")
class SentenceEmbedderTest {

    /** Lengths from 3 to ~60 tokens, deliberately not in length order, so bucketing reorders them. */
    private static final List<String> SENTENCES = List.of(
            "The quarterly report shows revenue grew by twelve percent while operating costs stayed flat, "
                    + "which the board attributes to the new subscription pricing introduced in the spring and "
                    + "to lower cloud spending after the migration finished ahead of schedule.",
            "Hi",
            "A man is playing a guitar on the street.",
            "Click here to claim your free prize now!!! Limited offer, act fast.",
            "Meeting moved to 3pm.",
            "Could you please send me the slides from yesterday's talk about distributed consensus?",
            "ok",
            "Unsubscribe from this list by replying STOP.");

    private static SentenceEmbedder fp32;
    private static SentenceEmbedder int8;

    @BeforeAll
    static void open() {
        // batches of 3 over a window of 16: the 8 sentences are sorted by length and cut into 3 padded batches
        EmbedderConfig config = new EmbedderConfig("all-MiniLM-L6-v2", 256, 3, 16, 2);
        fp32 = SentenceEmbedder.open(config);
        int8 = SentenceEmbedder.open(config.withBackboneId("all-MiniLM-L6-v2-int8"));
    }

    @AfterAll
    static void close() {
        fp32.close();
        int8.close();
    }

    @Test
    void readsInputAndOutputNamesFromTheModel() {
        assertThat(fp32.signature().inputIds()).isEqualTo("input_ids");
        assertThat(fp32.signature().attentionMask()).isEqualTo("attention_mask");
        assertThat(fp32.signature().tokenTypeIds()).contains("token_type_ids");
        assertThat(fp32.signature().lastHiddenState()).isEqualTo("last_hidden_state");
        assertThat(fp32.dimension()).isEqualTo(384);
        assertThat(fp32.weightsSha256()).isEqualTo(BackboneRegistry.standard().byId("all-MiniLM-L6-v2").weightsSha256());
    }

    @Test
    void matchesAPlainOnnxRuntimeRunOfEachSentenceAlone() throws Exception {
        float[][] ours = fp32.embed(SENTENCES);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] model;
        try (InputStream in = SentenceEmbedderTest.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            model = in.readAllBytes();
        }
        try (InputStream json = SentenceEmbedderTest.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2-tokenizer.json");
             HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(json,
                     Map.of("padding", "false", "truncation", "true", "maxLength", "256"));
             OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(model, options)) {
            for (int i = 0; i < SENTENCES.size(); i++) {
                Encoding encoding = tokenizer.encode(SENTENCES.get(i));
                float[] expected = directMeanPooled(env, session, encoding);
                for (int h = 0; h < 384; h++) {
                    assertThat(ours[i][h]).as("sentence %d dim %d", i, h).isCloseTo(expected[h], within(1e-5f));
                }
            }
        }
    }

    /** One unpadded text through the session; mean over all its tokens, then L2 norm: written out independently. */
    private static float[] directMeanPooled(OrtEnvironment env, OrtSession session, Encoding encoding) throws Exception {
        try (OnnxTensor ids = OnnxTensor.createTensor(env, new long[][] {encoding.getIds()});
             OnnxTensor mask = OnnxTensor.createTensor(env, new long[][] {encoding.getAttentionMask()});
             OnnxTensor types = OnnxTensor.createTensor(env, new long[][] {encoding.getTypeIds()});
             OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
            float[][] tokens = ((float[][][]) result.get("last_hidden_state").orElseThrow().getValue())[0];
            double[] mean = new double[384];
            for (float[] token : tokens) {
                for (int h = 0; h < 384; h++) {
                    mean[h] += token[h] / (double) tokens.length;
                }
            }
            double norm = 0;
            for (double v : mean) {
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            float[] out = new float[384];
            for (int h = 0; h < 384; h++) {
                out[h] = (float) (mean[h] / norm);
            }
            return out;
        }
    }

    @Test
    void paraphrasesAreCloserThanUnrelatedPairs() {
        List<String> a = List.of("A man is playing a guitar.", "The cat is sleeping on the sofa.",
                "How do I reset my password?", "The stock market fell sharply today.");
        List<String> b = List.of("Someone is strumming a guitar.", "A kitten naps on the couch.",
                "I forgot my password, how can I change it?", "Shares dropped steeply in today's trading.");
        float[][] va = fp32.embed(a);
        float[][] vb = fp32.embed(b);
        double weakestParaphrase = Double.MAX_VALUE;
        double strongestUnrelated = -Double.MAX_VALUE;
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < b.size(); j++) {
                double cosine = dot(va[i], vb[j]);
                if (i == j) {
                    weakestParaphrase = Math.min(weakestParaphrase, cosine);
                } else {
                    strongestUnrelated = Math.max(strongestUnrelated, cosine);
                }
            }
        }
        assertThat(weakestParaphrase).isGreaterThan(0.5);
        assertThat(strongestUnrelated).isLessThan(0.3);
        assertThat(weakestParaphrase).isGreaterThan(strongestUnrelated + 0.2);
    }

    @Test
    void vectorsHaveUnitLength() {
        for (float[] vector : fp32.embed(SENTENCES)) {
            assertThat(Math.sqrt(dot(vector, vector))).isCloseTo(1.0, within(1e-5));
        }
        for (float[] vector : int8.embed(SENTENCES)) {
            assertThat(Math.sqrt(dot(vector, vector))).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void resultFollowsInputOrderWhateverTheBucketing() {
        float[][] together = fp32.embed(SENTENCES);
        List<String> reversed = new ArrayList<>(SENTENCES);
        Collections.reverse(reversed);
        float[][] backwards = fp32.embed(reversed);
        for (int i = 0; i < SENTENCES.size(); i++) {
            float[] alone = fp32.embed(List.of(SENTENCES.get(i)))[0];
            assertThat(together[i]).containsExactly(alone, within(1e-5f));
            assertThat(backwards[SENTENCES.size() - 1 - i]).containsExactly(alone, within(1e-5f));
        }
        // distinct sentences give distinct vectors, so a permuted result could not pass the checks above
        assertThat(dot(together[1], together[6])).isLessThan(0.99);
        assertThat(fp32.embed(List.of())).isEmpty();
    }

    @Test
    void int8VariantStaysCloseToFp32() {
        float[][] full = fp32.embed(SENTENCES);
        float[][] quantized = int8.embed(SENTENCES);
        double minCosine = 1;
        for (int i = 0; i < SENTENCES.size(); i++) {
            minCosine = Math.min(minCosine, dot(full[i], quantized[i]));
        }
        // measured 0.970 (the two-letter "ok", where one token's error weighs most) to 0.994 on these
        // sentences; 0.95 leaves room for ORT kernel differences across CPUs, while a wrong model,
        // tokenizer or pooling (cosine well under 0.9) fails
        assertThat(minCosine).isGreaterThan(0.95).isLessThan(1.0);
        assertThat(int8.weightsSha256()).isNotEqualTo(fp32.weightsSha256());
    }

    @Test
    void overLongTextsAreTruncatedNotRejected() {
        String head = "the committee reviewed every proposal in detail before voting ".repeat(40);
        float[][] vectors = fp32.embed(List.of(head + "and approved it unanimously",
                head + "zebra giraffe volcano submarine spaceship"));
        assertThat(fp32.tokenizer().encode(head).truncated()).isTrue();
        assertThat(fp32.tokenizer().encode(head).tokenCount()).isEqualTo(256);
        // everything past token 256 is cut, so the different endings cannot change the vectors
        assertThat(vectors[0]).containsExactly(vectors[1], within(1e-6f));
        assertThat(Math.sqrt(dot(vectors[0], vectors[0]))).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void rejectsConfigsTheBackboneCannotHonour() {
        assertThatThrownBy(() -> SentenceEmbedder.open(EmbedderConfig.defaults("all-MiniLM-L6-v2").withMaxTokens(600)))
                .hasMessageContaining("maxTokens must be at most 512")
                .hasMessageContaining("was 600");
        assertThatThrownBy(() -> SentenceEmbedder.open(EmbedderConfig.defaults("gpt-17")))
                .hasMessageContaining("unknown backbone id 'gpt-17'")
                .hasMessageContaining("all-MiniLM-L6-v2-int8");
        assertThatThrownBy(() -> fp32.embed(java.util.Arrays.asList("fine", null)))
                .hasMessageContaining("texts[1] must not be null");
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }
}
