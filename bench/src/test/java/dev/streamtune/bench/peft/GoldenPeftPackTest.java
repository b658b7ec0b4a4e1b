package dev.streamtune.bench.peft;

import dev.streamtune.model.peft.*;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.encoder.EncoderArchitecture;
import dev.streamtune.model.encoder.EncoderWeights;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.testkit.GoldenFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PEFT pack (tokenized inputs plus half-precision encoder weights) of a tiny one-layer encoder,
 * written once through {@link PeftPack}'s writer and committed under {@code golden/peft-pack-v1/}.
 * Today's reader must return exactly these inputs and weights. No natives, no MiniLM.
 * Rewrite deliberately with {@code -Dstreamtune.golden.write=true}.
 */
class GoldenPeftPackTest {
    private static final PeftBenchmarkConfig CONFIG = PeftBenchmarkConfig.defaults().withTechniques(List.of("head"));
    private static final String BACKBONE = "tiny-bert-golden";
    private static final int HIDDEN = 4;
    private static final int INTERMEDIATE = 8;
    private static final int VOCABULARY = 16;
    private static final int POSITIONS = 8;
    private static final TreeSet<Integer> ROWS = new TreeSet<>(List.of(0, 2, 3, 5, 7, 11));

    static PeftInputs inputs() {
        List<String> labels = List.of("ham", "spam");
        TokenSet train = new TokenSet(new int[][] {{2, 5, 3}, {2, 7, 11, 3}}, new int[][] {{1, 1, 1}, {1, 1, 1, 1}},
                new int[] {0, 1}, labels);
        TokenSet test = new TokenSet(new int[][] {{2, 11, 3, 0}, {2, 5, 3}}, new int[][] {{1, 1, 1, 0}, {1, 1, 1}},
                new int[] {1, 0}, labels);
        TokenSet source = new TokenSet(new int[][] {{2, 7, 3}, {2, 5, 3}}, new int[][] {{1, 1, 1}, {1, 1, 1}},
                new int[] {0, 1}, List.of("joke", "proverb"));
        return new PeftInputs(train, test, Map.of("fortunes", source));
    }

    /** Every weight of a one-layer encoder, with values that half precision holds exactly (multiples of 1/64). */
    static Map<String, NamedTensor> weights() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put(EncoderWeights.WORD_EMBEDDINGS, new long[] {VOCABULARY, HIDDEN});
        shapes.put(EncoderWeights.POSITION_EMBEDDINGS, new long[] {POSITIONS, HIDDEN});
        shapes.put(EncoderWeights.TOKEN_TYPE_EMBEDDINGS, new long[] {2, HIDDEN});
        for (String name : MiniLmEncoder.expectedNames(new EncoderArchitecture(1, HIDDEN, 2, INTERMEDIATE, VOCABULARY,
                POSITIONS, 2, EncoderArchitecture.BERT_LAYER_NORM_EPS))) {
            if (shapes.containsKey(name)) {
                continue;
            }
            boolean weight = name.endsWith(".weight") && !name.contains("LayerNorm");
            long[] shape;
            if (name.contains("intermediate.dense")) {
                shape = weight ? new long[] {HIDDEN, INTERMEDIATE} : new long[] {INTERMEDIATE};
            } else if (name.contains(".output.dense") && !name.contains("attention")) {
                shape = weight ? new long[] {INTERMEDIATE, HIDDEN} : new long[] {HIDDEN};
            } else {
                shape = weight ? new long[] {HIDDEN, HIDDEN} : new long[] {HIDDEN};
            }
            shapes.put(name, shape);
        }
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        int t = 0;
        for (Map.Entry<String, long[]> entry : shapes.entrySet()) {
            int size = 1;
            for (long dim : entry.getValue()) {
                size *= (int) dim;
            }
            float[] values = new float[size];
            for (int i = 0; i < size; i++) {
                values[i] = ((i * 7 + t * 13) % 97 - 48) / 64f;
            }
            tensors.put(entry.getKey(), new NamedTensor(entry.getKey(), entry.getValue(), values));
            t++;
        }
        return tensors;
    }

    @Test
    void theCommittedPackReadsBackAsTheseInputsAndWeights(@TempDir Path written, @TempDir Path committed)
            throws IOException {
        boolean[] wrote = {false};
        Runnable write = () -> {
            if (!wrote[0]) {
                try {
                    PeftPack.write(written, CONFIG, BACKBONE, inputs(), EncoderWeights.fromTensors(weights(), 2), ROWS);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                wrote[0] = true;
            }
        };
        for (String file : List.of(PeftPack.INPUTS, PeftPack.ENCODER)) {
            byte[] bytes = GoldenFiles.load("peft-pack-v1/" + file, () -> {
                write.run();
                try {
                    return Files.readAllBytes(written.resolve(file));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Files.write(committed.resolve(file), bytes);
        }
        assertThat(Files.size(committed.resolve(PeftPack.ENCODER))).as("a small fixture").isLessThan(4_096);

        PeftPack pack = PeftPack.read(committed, CONFIG);

        assertThat(pack.backboneId()).isEqualTo(BACKBONE);
        assertThat(pack.config().trainExamples()).isEqualTo(2);
        assertThat(pack.config().testExamples()).isEqualTo(2);
        PeftInputs expected = inputs();
        assertSameSet(pack.inputs().train(), expected.train());
        assertSameSet(pack.inputs().test(), expected.test());
        assertThat(pack.inputs().sources()).containsOnlyKeys("fortunes");
        assertSameSet(pack.inputs().sources().get("fortunes"), expected.sources().get("fortunes"));

        EncoderArchitecture architecture = pack.weights().architecture();
        assertThat(architecture).isEqualTo(new EncoderArchitecture(1, HIDDEN, 2, INTERMEDIATE, VOCABULARY, POSITIONS,
                2, EncoderArchitecture.BERT_LAYER_NORM_EPS));
        for (NamedTensor tensor : weights().values()) {
            float[] read = pack.weights().require(tensor.name()).valuesView();
            assertThat(pack.weights().require(tensor.name()).shape()).as(tensor.name()).isEqualTo(tensor.shape());
            if (tensor.name().equals(EncoderWeights.WORD_EMBEDDINGS)) {
                for (int row = 0; row < VOCABULARY; row++) {
                    for (int c = 0; c < HIDDEN; c++) {
                        float want = ROWS.contains(row) ? tensor.valuesView()[row * HIDDEN + c] : 0f;
                        assertThat(read[row * HIDDEN + c]).as("word row %d column %d (kept: %s)", row, c,
                                ROWS.contains(row)).isEqualTo(want);
                    }
                }
            } else {
                assertThat(read).as(tensor.name()).containsExactly(tensor.valuesView());
            }
        }
    }

    private static void assertSameSet(TokenSet actual, TokenSet expected) {
        assertThat(actual.labelNames()).isEqualTo(expected.labelNames());
        assertThat(actual.labels()).containsExactly(expected.labels());
        assertThat(actual.ids()).isDeepEqualTo(expected.ids());
        assertThat(actual.mask()).isDeepEqualTo(expected.mask());
    }
}
