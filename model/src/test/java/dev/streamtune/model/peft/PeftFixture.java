package dev.streamtune.model.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.backbone.BackboneTokenizer;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.TrainingBatch;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real MiniLM encoder and tokenizer, loaded once per test JVM (the import takes seconds), and
 * a tiny two-class task: 16 short texts, 8 spam-like (label 1) and 8 ordinary (label 0).
 */
public final class PeftFixture {
    static final int MAX_TOKENS = 32;
    static final List<String> TEXTS = List.of(
            "Win a free cruise now, click here!",
            "Meeting moved to 3pm tomorrow.",
            "Cheap meds online, no prescription needed!!!",
            "Can you review my pull request?",
            "You have been selected for a cash prize.",
            "Lunch at noon in the usual place?",
            "Lose weight fast with this one trick.",
            "The build failed on the main branch again.",
            "Earn money from home, guaranteed income!",
            "Please send the slides from the talk.",
            "Limited offer: buy one get ten free!!!",
            "Dinner with my parents on Sunday.",
            "Claim your reward before midnight!",
            "I pushed a fix for the flaky test.",
            "Hot singles in your area want to meet.",
            "Our flight lands at seven in the evening.");
    static final int[] LABELS = {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0};

    private static NDManager manager;
    private static MiniLmEncoder encoder;
    private static BackboneTokenizer tokenizer;
    private static Map<String, float[]> frozenSnapshot;

    private PeftFixture() {
    }

    public static synchronized MiniLmEncoder encoder() {
        if (encoder == null) {
            Backbone backbone = BackboneRegistry.standard().byId(MiniLmL6V2Provider.ID);
            manager = NDManager.newBaseManager();
            encoder = MiniLmEncoder.load(backbone, MiniLmEncoder.MINILM_HEADS, manager);
            tokenizer = BackboneTokenizer.load(backbone, MAX_TOKENS);
            frozenSnapshot = new HashMap<>();
            for (String name : encoder.parameterNames()) {
                frozenSnapshot.put(name, encoder.frozenParameter(name).toFloatArray());
            }
        }
        return encoder;
    }

    /** Names of encoder weights that differ, bit for bit, from their values at load. */
    static List<String> changedFrozenWeights() {
        encoder();
        return encoder.parameterNames().stream()
                .filter(name -> !Arrays.equals(frozenSnapshot.get(name), encoder.frozenParameter(name).toFloatArray()))
                .toList();
    }

    static BatchInput.TokenIds tokens(List<String> texts) {
        encoder();
        return BatchInput.TokenIds.of(tokenizer.encodeAll(texts));
    }

    /** Rows [from, from + 8) of the task as a training batch with unit loss weights. */
    static TrainingBatch batch(int from) {
        int to = from + 8;
        float[] weights = new float[8];
        Arrays.fill(weights, 1f);
        return new TrainingBatch(tokens(TEXTS.subList(from, to)), Arrays.copyOfRange(LABELS, from, to), weights);
    }

    static float[][] rows(NDArray matrix) {
        int rows = (int) matrix.getShape().get(0);
        int columns = (int) matrix.getShape().get(1);
        float[] flat = matrix.toFloatArray();
        float[][] result = new float[rows][columns];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * columns, result[r], 0, columns);
        }
        return result;
    }

    static double maxAbsDifference(float[][] a, float[][] b) {
        double worst = 0;
        for (int r = 0; r < a.length; r++) {
            for (int c = 0; c < a[r].length; c++) {
                worst = Math.max(worst, Math.abs(a[r][c] - b[r][c]));
            }
        }
        return worst;
    }
}
